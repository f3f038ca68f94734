import { errorGroups } from '../../core/index.js';

type Json = Record<string, any>;

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * /docs: a readable API reference rendered on the server from the OpenAPI document (no script, no CDN):
 * every operation with its parameters, body and answers, a curl example, how streaming and errors work,
 * and the table of error codes that problem `type` URIs point into (`/docs#ASDK_…`).
 */
export function renderDocsPage(document: Json, options: { examplePreset?: string } = {}): string {
  const info = document.info as Json;
  const paths = document.paths as Record<string, Json>;
  const schemas = (document.components as Json).schemas as Record<string, Json>;
  const operations: { path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHOD_ORDER) if (item[method]) operations.push({ path, method, op: item[method] });
  }
  const tags = (document.tags as Json[]).map((t) => t.name as string);
  for (const { op } of operations) for (const tag of op.tags as string[]) if (!tags.includes(tag)) tags.push(tag);
  const authRequired = document['x-auth-required'] === true;

  const toc = tags
    .map((tag) => {
      const items = operations.filter((o) => (o.op.tags as string[])[0] === tag);
      if (!items.length) return '';
      return `<li>${esc(tag)}<ul>${items.map((o) => `<li><a href="#${esc(o.op.operationId)}"><code class="m ${o.method}">${o.method.toUpperCase()}</code> ${esc(o.path)}</a></li>`).join('')}</ul></li>`;
    })
    .join('');

  const sections = tags
    .map((tag) => {
      const items = operations.filter((o) => (o.op.tags as string[])[0] === tag);
      if (!items.length) return '';
      return `<h2>${esc(tag)}</h2>${items.map((o) => operationHtml(o.path, o.method, o.op, authRequired, options.examplePreset)).join('')}`;
    })
    .join('');

  const schemaList = Object.entries(schemas)
    .map(([name, schema]) => `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details>`)
    .join('');

  const errors = errorGroups
    .filter((g) => Object.keys(g.codes).length)
    .map(
      (g) =>
        `<h3>${esc(g.title)}</h3><table><thead><tr><th>Code</th><th>HTTP</th><th>What happened</th><th>How to fix</th></tr></thead><tbody>${Object.entries(g.codes)
          .map(([code, spec]) => `<tr id="${esc(code)}"><td><code>${esc(code)}</code></td><td>${spec.status}</td><td>${esc(spec.message)}</td><td>${esc(spec.hint)}</td></tr>`)
          .join('')}</tbody></table>`,
    )
    .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API ${esc(info.version)}</title>
<style>${STYLE}</style></head>
<body><nav><p class="brand">${esc(info.title)} <span>${esc(info.version)}</span></p><ul>${toc}<li><a href="#streaming">Streaming</a></li><li><a href="#errors">Errors</a></li><li><a href="#schemas">Schemas</a></li></ul></nav>
<main>
<h1>${esc(info.title)} HTTP API</h1>
<p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1). WebSocket gateway: <code>/ws</code> (docs/gateway.md).</p>
<h2 id="auth">Authentication</h2>
<p>${authRequired ? 'This server <strong>requires an API key</strong>' : 'This server runs <strong>open</strong> (no API key is configured; it listens on a loopback address only)'}.
Send the key as <code>Authorization: Bearer &lt;key&gt;</code> or <code>X-API-Key: &lt;key&gt;</code>. <code>GET /health</code> tells clients whether a key is required (<code>auth.required</code>).</p>
${sections}
<h2 id="streaming">Streaming</h2>
<p><code>GET /run/{id}/events</code> is a server-sent event stream: <code>id:</code> is the event's seq, <code>event:</code> its type, <code>data:</code> the envelope (<a href="#schema-EventEnvelopeV1">EventEnvelopeV1</a>).
Reconnect with <code>Last-Event-ID</code> (EventSource does it for you) and the server replays exactly what you missed, then continues live.
Final notices carry no <code>id:</code>: <code>stream.overflow</code> (you read too slowly; reconnect), <code>stream.shutdown</code> (the server is stopping; reconnect), <code>stream.error</code>.</p>
<pre>curl -N ${authRequired ? "-H 'Authorization: Bearer $AGENT_SDK_API_KEY' " : ''}http://127.0.0.1:8787/run/RUN_ID/events</pre>
<h2 id="errors">Errors</h2>
<p>Every error is <code>application/problem+json</code> (RFC 9457) with a stable <code>code</code>, the failing inputs in <code>errors[]</code> (<code>path</code> + <code>message</code>) and a <code>hint</code>. Its <code>type</code> links to the row below.</p>
${errors}
<h2 id="schemas">Schemas</h2>
${schemaList}
</main></body></html>
`;
}

function operationHtml(path: string, method: string, op: Json, authRequired: boolean, examplePreset: string | undefined): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const paramRows = params
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td><code>${esc(typeOf(p.schema))}</code></td><td>${p.required ? 'yes' : ''}</td><td>${esc(p.description ?? p.schema?.description ?? '')}</td></tr>`)
    .join('');
  const body = op.requestBody as Json | undefined;
  const bodyHtml = body
    ? `<h4>Body${body.required ? '' : ' (optional)'}</h4>${Object.entries(body.content as Json)
        .map(([type, media]) => `<p><code>${esc(type)}</code></p>${schemaHtml((media as Json).schema)}`)
        .join('')}`
    : '';
  const responses = Object.entries(op.responses as Json)
    .map(([status, response]) => {
      const content = (response as Json).content as Json | undefined;
      const types = content ? Object.keys(content) : [];
      const schema = content && types.length ? content[types[0]].schema : undefined;
      return `<tr><td>${esc(status)}</td><td>${esc((response as Json).description)}</td><td>${types.map((t) => `<code>${esc(t)}</code>`).join(' ')}</td><td>${schema?.$ref ? refLink(schema.$ref) : ''}</td></tr>`;
    })
    .join('');
  const curl = curlFor(path, method, op, authRequired, examplePreset);
  return `<section id="${esc(op.operationId)}"><h3><code class="m ${method}">${method.toUpperCase()}</code> <code>${esc(path)}</code></h3>
<p><strong>${esc(op.summary)}</strong>${op.security && !(op.security as unknown[]).length ? ' <span class="pub">public</span>' : ''}</p>
${op.description ? `<p>${esc(op.description)}</p>` : ''}
${paramRows ? `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Meaning</th></tr></thead><tbody>${paramRows}</tbody></table>` : ''}
${bodyHtml}
<h4>Answers</h4><table><thead><tr><th>Status</th><th>Meaning</th><th>Type</th><th>Schema</th></tr></thead><tbody>${responses}</tbody></table>
<pre>${esc(curl)}</pre></section>`;
}

function schemaHtml(schema: Json | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return `<p>${refLink(schema.$ref)}</p>`;
  return `<pre>${esc(JSON.stringify(schema, null, 2))}</pre>`;
}

function refLink(ref: string): string {
  const name = ref.split('/').pop()!;
  return `<a href="#schema-${esc(name)}"><code>${esc(name)}</code></a>`;
}

function typeOf(schema: Json | undefined): string {
  if (!schema) return '';
  if (schema.type === 'integer' || schema.type === 'number') {
    const range = [schema.minimum !== undefined && `≥ ${schema.minimum}`, schema.maximum !== undefined && `≤ ${schema.maximum}`].filter(Boolean).join(', ');
    return range ? `${schema.type} (${range})` : schema.type;
  }
  return schema.type ?? 'any';
}

function curlFor(path: string, method: string, op: Json, authRequired: boolean, examplePreset: string | undefined): string {
  const parts = ['curl'];
  if (method !== 'get') parts.push(`-X ${method.toUpperCase()}`);
  if (path.endsWith('/events')) parts.push('-N');
  if (authRequired && !(op.security && !(op.security as unknown[]).length)) parts.push("-H 'Authorization: Bearer $AGENT_SDK_API_KEY'");
  if (op.requestBody?.required) {
    parts.push("-H 'Content-Type: application/json'");
    const run = examplePreset ? `{"preset":${JSON.stringify(examplePreset)},"input":"What is 17 * 23?"}` : '{"agent":{"instructions":"Be brief."},"input":"Hello"}';
    parts.push(path === '/run' ? `-d '${run}'` : "-d '{}'");
  }
  parts.push(`http://127.0.0.1:8787${path.replace(/\{(\w+)\}/g, (_, name: string) => name.toUpperCase())}`);
  return parts.join(' ');
}

function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--code:#f6f8fa;--acc:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--code:#151b23;--acc:#4493f8}}
*{box-sizing:border-box}body{margin:0;font:15px/1.55 system-ui,sans-serif;color:var(--fg);background:var(--bg);display:flex}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:290px;flex:none;padding:1rem;border-right:1px solid var(--line);font-size:13px}
nav ul{list-style:none;padding-left:.6rem;margin:.2rem 0}nav a{color:inherit;text-decoration:none}nav a:hover{color:var(--acc)}
.brand{font-weight:700;font-size:16px}.brand span{color:var(--muted);font-weight:400}
main{padding:1rem 2rem 4rem;max-width:980px;min-width:0}
h2{border-bottom:1px solid var(--line);padding-bottom:.3rem;margin-top:2.5rem;text-transform:capitalize}
section{border:1px solid var(--line);border-radius:8px;padding:.2rem 1rem 1rem;margin:1rem 0}
code,pre{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:var(--code);padding:.7rem;border-radius:6px;overflow:auto}
table{border-collapse:collapse;width:100%;font-size:13px;margin:.4rem 0}th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
.m{font-weight:700;padding:0 .3rem;border-radius:4px;color:#fff}.m.get{background:#1f883d}.m.post{background:#0969da}.m.delete{background:#cf222e}.m.put,.m.patch{background:#9a6700}
.pub{font-size:12px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 .3rem}
tr:target{background:color-mix(in srgb,var(--acc) 18%,transparent)}a{color:var(--acc)}
`;

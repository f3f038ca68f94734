import type { Health, Stats } from '../api/types.js';
import { useApp, useLoad } from '../hooks.js';
import { bytes, count, cost, duration } from '../parts/format.js';
import { JsonView } from '../parts/json-view.js';
import { ProblemView } from '../parts/problem-view.js';

/** The server this console talks to: health, the observability summary (GET /stats, when served), presets and tools. */
export function ServerView({ health }: { health: Health }) {
  const { api, presets } = useApp();
  const stats = useLoad((signal) => api.stats(signal), []);
  const tools = useLoad((signal) => api.tools(signal), []);
  return (
    <div class="page server-page">
      <h1>Server</h1>
      <section class="cards" aria-label="Health">
        <Card label="Status" value={health.status} tone={health.status === 'ok' ? 'ok' : 'warn'} />
        <Card label="Version" value={health.version} />
        <Card label="Uptime" value={duration(health.uptimeMs)} />
        <Card label="Storage" value={health.storage.adapter} detail={health.storage.ok ? 'ok' : (health.storage.detail ?? 'failing')} tone={health.storage.ok ? undefined : 'warn'} />
        <Card label="API keys" value={health.auth.required ? 'required' : 'open'} detail={health.auth.required ? undefined : 'loopback only'} />
        <Card label="Streams" value={count(health.streams.sse + health.streams.wsConnections)} detail={`${health.streams.sse} SSE · ${health.streams.wsConnections} WebSocket`} />
      </section>
      {stats.problem ? <ProblemView problem={stats.problem} compact retry={stats.reload} /> : stats.data ? <StatsView stats={stats.data} /> : stats.loading ? null : (
        <p class="muted">This server has no <code>/stats</code> (the observability plugin is not enabled).</p>
      )}
      <h2>Presets</h2>
      <ul class="preset-grid">
        {presets.map((p) => (
          <li key={p.name} class="preset-card">
            <div class="preset-name">{p.name}</div>
            <p>{p.description}</p>
            {p.tools && <p class="muted small">tools: {p.tools.join(', ')}</p>}
            {p.agents && <p class="muted small">sub-agents: {p.agents.join(', ')}</p>}
            {p.model && <p class="muted small">model: {typeof p.model === 'string' ? p.model : p.model.join(' → ')}</p>}
          </li>
        ))}
      </ul>
      <h2>Tools</h2>
      {tools.problem && <ProblemView problem={tools.problem} compact retry={tools.reload} />}
      <ul class="tool-list">
        {tools.data?.items.map((t) => (
          <li key={t.name}>
            <details>
              <summary>
                <span class="tool-name">{t.name}</span> <span class="chip">v{t.version}</span> <span class="muted">{t.description}</span>
              </summary>
              <p class="muted small">
                timeout {duration(t.timeoutMs)}
                {t.capabilities.length > 0 && ` · capabilities: ${t.capabilities.join(', ')}`}
              </p>
              <h4 class="section-label">Input schema</h4>
              <JsonView value={t.input} label={`Input schema of ${t.name}`} />
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Card({ label, value, detail, tone }: { label: string; value: string; detail?: string; tone?: 'ok' | 'warn' }) {
  return (
    <div class={`card${tone ? ` card-${tone}` : ''}`}>
      <div class="card-label">{label}</div>
      <div class="card-value">{value}</div>
      {detail && <div class="card-detail muted">{detail}</div>}
    </div>
  );
}

const seconds = (s: number | null) => (s === null ? '—' : duration(s * 1000));

function StatsView({ stats }: { stats: Stats }) {
  const r = stats.runs;
  return (
    <>
      <h2>Since start</h2>
      <section class="cards" aria-label="Run statistics">
        <Card label="Runs" value={count(r.started)} detail={`${r.completed} completed · ${r.failed} failed · ${r.cancelled} cancelled`} />
        <Card label="Active" value={count(r.active)} detail={`${r.queued} queued`} />
        <Card label="Run time p50" value={seconds(r.duration.p50Seconds)} detail={`p95 ${seconds(r.duration.p95Seconds)}`} />
        <Card label="Tokens" value={count(stats.tokens.input + stats.tokens.output)} detail={`${count(stats.tokens.input)} in · ${count(stats.tokens.output)} out${stats.tokens.costUsd ? ` · ${cost(stats.tokens.costUsd)}` : ''}`} />
        {'process' in stats && <Card label="Memory" value={bytes((stats as unknown as { process: { rssBytes: number } }).process.rssBytes)} detail="resident" />}
      </section>
      {stats.models.length > 0 && (
        <table class="table">
          <caption>Models</caption>
          <thead>
            <tr>
              <th scope="col">model</th>
              <th scope="col">provider</th>
              <th scope="col">calls</th>
              <th scope="col">errors</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
              <th scope="col">tokens in / out</th>
            </tr>
          </thead>
          <tbody>
            {stats.models.map((m) => (
              <tr key={m.model}>
                <td>{m.model}</td>
                <td>{m.provider ?? '—'}</td>
                <td>{count(m.calls)}</td>
                <td>{count(m.errors)}</td>
                <td>{seconds(m.latency.p50Seconds)}</td>
                <td>{seconds(m.latency.p95Seconds)}</td>
                <td>
                  {count(m.inputTokens)} / {count(m.outputTokens)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {stats.tools.length > 0 && (
        <table class="table">
          <caption>Tools</caption>
          <thead>
            <tr>
              <th scope="col">tool</th>
              <th scope="col">calls</th>
              <th scope="col">errors</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            {stats.tools.map((t) => (
              <tr key={t.tool}>
                <td>{t.tool}</td>
                <td>{count(t.calls)}</td>
                <td>{count(t.errors)}</td>
                <td>{seconds(t.latency.p50Seconds)}</td>
                <td>{seconds(t.latency.p95Seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

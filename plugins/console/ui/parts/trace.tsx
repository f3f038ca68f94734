import type { Citation } from '../api/types.js';
import { href } from '../hooks.js';
import { isLimitCode, type Block, type EventBlock, type Lane, type RunModel, type TextBlock, type ToolBlock } from '../model/run-model.js';
import { duration, offset, preview, shortId, usage } from './format.js';
import { Icon, type IconName } from './icon.js';
import { JsonView } from './json-view.js';

/**
 * A run as it happened, in event order: the streamed text of each step, tool calls as cards (a sub-agent's
 * call holds its nested run), and lifecycle events on a timeline. Live runs are a `log` live region, so a
 * screen reader hears text and results as they arrive.
 */
export function RunTrace({ model, live }: { model: RunModel; live?: boolean }) {
  return (
    <div class="trace" role={live ? 'log' : undefined} aria-label={`Trace of run ${model.runId}`}>
      <LaneView lane={model.root} start={model.firstTs} depth={0} streaming={live === true && model.status === 'running'} />
      {model.gaps.length > 0 && (
        <p class="warn-note" role="alert">
          <Icon name="alert" size={14} /> Events {model.gaps.map((g) => (g.from === g.to ? `${g.from}` : `${g.from}–${g.to}`)).join(', ')} never arrived.
        </p>
      )}
    </div>
  );
}

function LaneView({ lane, start, depth, streaming }: { lane: Lane; start?: string; depth: number; streaming: boolean }) {
  if (!lane.blocks.length) return <p class="muted lane-empty">{streaming ? 'Waiting for the first event…' : 'No events yet.'}</p>;
  const last = lane.blocks[lane.blocks.length - 1];
  return (
    <ol class="lane">
      {lane.blocks.map((block) => (
        <BlockView key={block.key} block={block} lane={lane} start={start} depth={depth} streaming={streaming && block === last} />
      ))}
    </ol>
  );
}

function BlockView({ block, lane, start, depth, streaming }: { block: Block; lane: Lane; start?: string; depth: number; streaming: boolean }) {
  switch (block.kind) {
    case 'text':
      return <TextView block={block} lane={lane} streaming={streaming && !block.done} />;
    case 'tool':
      return <ToolCard block={block} start={start} depth={depth} />;
    case 'group':
      return (
        <li class="block">
          <NestedRun lane={block.lane} start={start} depth={depth + 1} />
        </li>
      );
    default:
      return <EventRow block={block} start={start} />;
  }
}

function TextView({ block, lane, streaming }: { block: TextBlock; lane: Lane; streaming: boolean }) {
  if (block.superseded) {
    return (
      <li class="block text-void">
        <details>
          <summary>
            Discarded text of step {block.step}: the model {block.superseded}
          </summary>
          <p class="text">{block.text}</p>
        </details>
      </li>
    );
  }
  const idBase = `cite-${lane.runId}-${block.seq}`;
  return (
    <li class="block block-text">
      <div class={`text${streaming ? ' streaming' : ''}`} data-testid={lane.agent ? undefined : 'answer-text'}>
        {withMarkers(block.text, block.citations, idBase)}
      </div>
      {block.citations && <Citations citations={block.citations} idBase={idBase} />}
    </li>
  );
}

const MARKER = /\[([^\]\s]{1,200})\]/g;

/** `[1]` and `[chunkId]` markers that match a citation become buttons that bring the source into view. */
function withMarkers(text: string, citations: readonly Citation[] | undefined, idBase: string) {
  if (!citations?.length) return text;
  const out: (string | preact.JSX.Element)[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const ref = match[1];
    const index = /^\d+$/.test(ref) ? Number(ref) - 1 : citations.findIndex((c) => c.chunkId === ref);
    if (index < 0 || index >= citations.length) continue;
    const at = match.index ?? 0;
    out.push(text.slice(last, at));
    out.push(
      <button
        type="button"
        class="cite-ref"
        title={`${citations[index].source} (${citations[index].chunkId})`}
        onClick={() => {
          const target = document.getElementById(`${idBase}-${index}`);
          target?.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
          target?.focus();
        }}
      >
        [{index + 1}]
      </button>,
    );
    last = at + match[0].length;
  }
  out.push(text.slice(last));
  return out;
}

function Citations({ citations, idBase }: { citations: readonly Citation[]; idBase: string }) {
  return (
    <section class="citations" aria-label="Sources">
      <h4 class="section-label">
        <Icon name="quote" size={14} /> Sources
      </h4>
      <ol>
        {citations.map((c, i) => (
          <li key={c.chunkId + i} id={`${idBase}-${i}`} tabIndex={-1}>
            <div class="cite-head">
              <span class="cite-n">[{i + 1}]</span>
              <span class="cite-source">{c.source}</span>
              <code class="chip" title="chunk id">
                {c.chunkId}
              </code>
            </div>
            <blockquote>{c.quote}</blockquote>
          </li>
        ))}
      </ol>
    </section>
  );
}

function ToolCard({ block, start, depth }: { block: ToolBlock; start?: string; depth: number }) {
  const agent = block.name.startsWith('agent.');
  const state = block.state === 'running' ? 'running' : block.state === 'ok' ? 'ok' : 'error';
  return (
    <li class={`block tool tool-${state}`} data-tool={block.name}>
      <details open>
        <summary>
          <Icon name={agent ? 'agent' : 'tool'} size={15} class="tool-icon" />
          <span class="tool-name">{block.name}</span>
          {block.version && <span class="chip">v{block.version}</span>}
          <span class="tool-preview">{preview(block.args, 70)}</span>
          <span class="tool-state">
            {state === 'running' ? (
              <span class="spinner" role="img" aria-label="running" />
            ) : state === 'ok' ? (
              <Icon name="check" size={14} />
            ) : (
              <Icon name="x" size={14} />
            )}
            <span class="tool-duration">{state === 'running' ? 'running' : duration(block.durationMs)}</span>
          </span>
        </summary>
        <div class="tool-body">
          <div class="tool-io">
            <section>
              <h4 class="section-label">Arguments</h4>
              <JsonView value={block.args} label={`Arguments of ${block.name}`} />
            </section>
            {block.state === 'ok' && !agent && (
              <section>
                <h4 class="section-label">Result</h4>
                <JsonView value={block.result} label={`Result of ${block.name}`} />
              </section>
            )}
            {block.state === 'ok' && agent && (
              <section>
                <h4 class="section-label">Answer</h4>
                <p class="text small">{String((block.result as { output?: unknown })?.output ?? '')}</p>
              </section>
            )}
            {block.state === 'error' && block.error && (
              <section class="tool-error">
                <h4 class="section-label">Error</h4>
                <p>
                  <code class="code-chip">{block.error.code}</code> {block.error.message}
                </p>
              </section>
            )}
          </div>
          {block.nested && <NestedRun lane={block.nested} start={start} depth={depth + 1} />}
          <p class="tool-meta muted">
            call {block.callId} · step {block.step} · {offset(block.ts, start)}
          </p>
        </div>
      </details>
    </li>
  );
}

function NestedRun({ lane, start, depth }: { lane: Lane; start?: string; depth: number }) {
  return (
    <div class={`nested nested-${lane.status}`} aria-label={`Nested run of ${lane.agent ?? 'a sub-agent'}`}>
      <div class="nested-head">
        <Icon name="agent" size={14} />
        <span>
          Sub-agent <strong>{lane.agent ?? '?'}</strong>
        </span>
        <a href={href('runs', lane.runId)} title={lane.runId}>
          {shortId(lane.runId)}
        </a>
        <span class={`badge badge-${lane.status}`}>{lane.status}</span>
        <span class="muted">
          {lane.steps} step{lane.steps === 1 ? '' : 's'} · {usage(lane.stepUsage)}
        </span>
      </div>
      <LaneView lane={lane} start={start} depth={depth} streaming={lane.status === 'running'} />
    </div>
  );
}

interface Described {
  readonly icon: IconName;
  readonly tone: 'info' | 'ok' | 'warn' | 'error' | 'muted';
  readonly label: string;
  readonly detail?: string;
}

/** How the timeline names an event. Unknown types (newer servers) are shown by their type and data. */
export function describeEvent(type: string, data: any): Described {
  switch (type) {
    case 'run.queued':
      return { icon: 'clock', tone: 'muted', label: 'Queued', detail: 'waiting for a free slot (runtime.maxConcurrentRuns)' };
    case 'run.started':
      return { icon: 'play', tone: 'muted', label: 'Run started', detail: [data.preset && `preset ${data.preset}`, data.agent && data.agent !== data.preset && `agent ${data.agent}`].filter(Boolean).join(' · ') };
    case 'step.started':
      return { icon: 'next', tone: 'muted', label: `Step ${data.step}` };
    case 'step.completed':
      return { icon: 'check', tone: 'muted', label: `Step ${data.step} done`, detail: [data.model && `model ${data.model}`, usage(data.usage)].filter(Boolean).join(' · ') };
    case 'model.retry':
      return { icon: 'refresh', tone: 'warn', label: 'Retry', detail: `${data.model} attempt ${data.attempt} failed (${data.reason}); next in ${duration(data.delayMs)}` };
    case 'model.fallback':
      return { icon: 'refresh', tone: 'warn', label: 'Fallback', detail: `${data.from} → ${data.to}: ${data.reason}` };
    case 'memory.compacted':
      return { icon: 'list', tone: 'info', label: 'Memory compacted', detail: `${data.strategy}: ${data.removedMessages} messages removed, ${data.keptMessages} kept` };
    case 'policy.denied':
      return { icon: 'alert', tone: 'error', label: 'Policy denied', detail: `${data.policy} at ${data.point}: ${data.reason}` };
    case 'run.completed':
      return { icon: 'check', tone: 'ok', label: 'Completed', detail: usage(data.usage) };
    case 'run.failed': {
      const limit = isLimitCode(data.error?.code);
      return { icon: 'alert', tone: limit ? 'warn' : 'error', label: limit ? 'Limit reached' : 'Failed', detail: `${data.error?.code}: ${data.error?.message}` };
    }
    case 'run.cancelled':
      return { icon: 'stop', tone: 'warn', label: 'Cancelled', detail: data.reason };
    default:
      return { icon: 'list', tone: 'info', label: type, detail: preview(data, 120) };
  }
}

function EventRow({ block, start }: { block: EventBlock; start?: string }) {
  const d = describeEvent(block.type, block.data);
  return (
    <li class={`block ev ev-${d.tone}`} data-type={block.type}>
      <span class="ev-time" title={block.ts}>
        {offset(block.ts, start)}
      </span>
      <Icon name={d.icon} size={13} class="ev-icon" />
      <span class="ev-label">{d.label}</span>
      {d.detail && <span class="ev-detail">{d.detail}</span>}
    </li>
  );
}

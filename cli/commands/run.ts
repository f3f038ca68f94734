import { cutAtCodePoint, Kernel, ports, readConfigSource, sdkError, type AnyPortRef, type Citation, type EventEnvelope, type Plugin, type RunHandle } from '../../core/index.js';
import { batteries } from '../../batteries.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, type Command } from '../command.js';
import { colours, printError } from '../output.js';

const DEFAULT_PRESET = 'assistant_tools';

export const runCommand: Command = {
  usage: `Usage: agent-sdk run [--preset <name>] [--session <id>] [--json] [--config <file>] "<prompt>"

Runs a preset on a prompt and streams the answer as it arrives; tool calls are shown as they happen (on
stderr, so stdout holds only the answer). Without a prompt argument, the prompt is read from stdin.

Options:
  -p, --preset <name>   Preset to run (default ${DEFAULT_PRESET}); \`agent-sdk run --preset x\` lists the others
  -s, --session <id>    Continue this session (created when new); the history is the context
      --json            Print every event envelope as one JSON line instead (docs/events.md)
  -c, --config <file>   Config file (default: agent-sdk.config.* in the working directory)
  -h, --help            Show this help

Exit codes: 0 the run completed, 1 it failed (or could not start), 2 usage error, 130 cancelled with Ctrl-C.
`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('run', argv, {
      preset: { type: 'string', short: 'p' },
      session: { type: 'string', short: 's' },
      json: { type: 'boolean' },
      config: { type: 'string', short: 'c' },
    });
    const prompt = positionals.length ? positionals.join(' ') : await readStdin();
    if (!prompt.trim()) throw sdkError('ASDK_CLI_USAGE', { reason: 'Give a prompt: agent-sdk run "What is 17 * 23?"', command: 'run' });

    const kernel = await cliKernel(values.config);
    await kernel.start();
    let interrupted = false;
    let handle: RunHandle | undefined;
    const onSignal = () => {
      if (interrupted) process.exit(EXIT.interrupted);
      interrupted = true;
      process.stderr.write('\n');
      void handle?.cancel('interrupted (Ctrl-C)');
    };
    // A reader that goes away (`| head`) ends the run rather than the process.
    const onPipeError = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed = true;
      void handle?.cancel('the output was closed');
    };
    let closed = false;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', onPipeError);
    try {
      handle = await kernel.runs.start({ preset: values.preset ?? DEFAULT_PRESET, input: prompt, sessionId: values.session, actor: 'cli' });
      if (interrupted) void handle.cancel('interrupted (Ctrl-C)');
      const printer = values.json ? jsonLines : terminalPrinter();
      for await (const event of handle.events()) if (!closed) printer(event);
      const result = await handle.result();
      if (!values.json && result.status !== 'cancelled') {
        process.stderr.write(colours(process.stderr).dim(`session ${result.sessionId} (continue with --session ${result.sessionId})\n`));
      }
      if (result.status === 'completed') return EXIT.ok;
      if (result.status === 'cancelled') return EXIT.interrupted;
      return EXIT.failed;
    } catch (error) {
      printError(error);
      return EXIT.failed;
    } finally {
      // Still listening while the kernel stops: a second Ctrl-C exits at once.
      interrupted = true;
      await kernel.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', onPipeError);
    }
  },
};

/**
 * The batteries and the config file, with logs at `warn` unless the file says otherwise (stdout is the
 * answer), and without transports: a one-shot run serves nobody, and must not fail because the server's port
 * is taken. Their config sections are left out with them.
 */
async function cliKernel(configFile: string | undefined): Promise<Kernel> {
  const cwd = process.cwd();
  const source = await readConfigSource({ cwd, env: process.env, file: configFile });
  const { kept, dropped } = withoutTransports(batteries());
  const raw: Record<string, unknown> = { ...source.raw, kernel: { logLevel: 'warn', ...(source.raw.kernel as Record<string, unknown> | undefined) } };
  for (const id of dropped) delete raw[id];
  return new Kernel({ plugins: kept, source: { ...source, raw }, env: process.env, cwd });
}

/** The plugins minus those providing a transport and those that depend on one of them. */
function withoutTransports(plugins: Plugin[]): { kept: Plugin[]; dropped: Set<string> } {
  const dropped = new Set(plugins.filter((p) => (p.provides ?? []).some((port: AnyPortRef) => port.id === ports.transport.id)).map((p) => p.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const plugin of plugins) {
      if (!dropped.has(plugin.id) && (plugin.dependsOn ?? []).some((id: string) => dropped.has(id))) {
        dropped.add(plugin.id);
        changed = true;
      }
    }
  }
  return { kept: plugins.filter((p) => !dropped.has(p.id)), dropped };
}

function jsonLines(event: EventEnvelope): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/**
 * The readable form: the answer's text on stdout as it streams; tool calls, retries and sub-agents on stderr.
 * A line on stderr first ends a half-written line of the answer, so the two never run together on a terminal.
 */
function terminalPrinter(): (event: EventEnvelope) => void {
  const out = colours(process.stdout);
  const err = colours(process.stderr);
  let midLine = false;
  const note = (text: string) => {
    if (midLine) {
      process.stdout.write('\n');
      midLine = false;
    }
    process.stderr.write(`${text}\n`);
  };
  // Tool names by call, to label results; call ids are unique per run, so the key includes the run.
  const names = new Map<string, string>();
  const key = (event: EventEnvelope, callId: string) => `${event.origin?.runId ?? event.runId}:${callId}`;
  return (event) => {
    const who = event.origin ? err.magenta(`[${event.origin.agent ?? 'sub-agent'}] `) : '';
    const data = event.data as Record<string, any>;
    switch (event.type) {
      case 'assistant.delta':
        if (event.origin) return;
        process.stdout.write(data.text);
        midLine = !data.text.endsWith('\n');
        return;
      case 'assistant.message':
        if (event.origin) return;
        if (data.citations?.length) {
          if (midLine) process.stdout.write('\n');
          midLine = false;
          process.stdout.write(`\n${out.dim('Sources:')}\n${(data.citations as Citation[]).map((c, i) => `  [${i + 1}] ${c.source} ${out.dim(`(${c.chunkId})`)}`).join('\n')}\n`);
        }
        return;
      case 'tool.call':
        names.set(key(event, data.callId), data.name);
        note(`${who}${err.cyan('→')} ${err.bold(data.name)} ${err.dim(short(JSON.stringify(data.args)))}`);
        return;
      case 'tool.result':
        note(`${who}${err.green('←')} ${names.get(key(event, data.callId)) ?? 'tool'} ${err.dim(`${short(JSON.stringify(data.result))} (${Math.round(data.durationMs)} ms)`)}`);
        return;
      case 'tool.error':
        note(`${who}${err.red('✗')} ${names.get(key(event, data.callId)) ?? 'tool'} ${err.red(data.code)}: ${short(data.message, 200)}`);
        return;
      case 'model.retry':
        note(`${who}${err.yellow('↻')} ${data.model}: retrying in ${data.delayMs} ms (${short(data.reason, 120)})`);
        return;
      case 'model.fallback':
        note(`${who}${err.yellow('↪')} ${data.from} failed, falling back to ${data.to} (${short(data.reason, 120)})`);
        return;
      case 'policy.denied':
        note(`${who}${err.red('⛔')} denied by ${data.policy}: ${data.reason}`);
        return;
      case 'run.completed':
        if (event.origin) return;
        if (midLine) process.stdout.write('\n');
        midLine = false;
        return;
      case 'run.failed':
        note(`${err.red('✗')} ${err.bold(data.error.code)}: ${data.error.message}`);
        return;
      case 'run.cancelled':
        note(err.yellow(`cancelled: ${data.reason}`));
        return;
      default:
        return;
    }
  };
}

function short(text: string | undefined, max = 100): string {
  if (text === undefined) return '';
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${cutAtCodePoint(flat, max - 1)}…` : flat;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

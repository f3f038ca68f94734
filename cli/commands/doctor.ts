import { extensionPoints, isAgentSdkError, type KernelReport, type Problem } from '../../core/index.js';
import { createKernel } from '../../index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, type Command } from '../command.js';
import { colours, formatProblemLines } from '../output.js';

/** One line of the doctor's report. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly problems?: readonly Problem[];
  readonly hint?: string;
}

const MIN_NODE_MAJOR = 20;

export const doctorCommand: Command = {
  usage: `Usage: agent-sdk doctor [--config <file>] [--online] [--json]

Checks, without starting anything: the Node.js version, the config file (every problem with its path,
what was expected and a hint), the plugin graph (missing ports, cycles, duplicates), and what each plugin
checks for itself: storage reachable and migrated, each model's provider and API key, the server's port free,
the workspace folder writable. Nothing is changed: no migration, no file created.

Options:
  -c, --config <file>  Config file (default: agent-sdk.config.* in the working directory)
      --online         Also reach the network: each model provider's endpoint
      --json           Print the results as JSON
  -h, --help           Show this help

Exit code: 0 when every check passes, 1 otherwise.
`,
  async run(argv) {
    const { values } = parseCommandArgs('doctor', argv, { config: { type: 'string', short: 'c' }, online: { type: 'boolean' }, json: { type: 'boolean' } });
    const results = await runChecks(values.config, { online: Boolean(values.online) });
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: results.every((r) => r.ok), checks: results }, null, 2)}\n`);
    else printResults(results);
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
  },
};

export async function runChecks(configFile: string | undefined, options: { online?: boolean } = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  results.push({
    name: 'Node.js',
    ok: major >= MIN_NODE_MAJOR,
    detail: `v${process.versions.node} (needs >= ${MIN_NODE_MAJOR})`,
    hint: major >= MIN_NODE_MAJOR ? undefined : `Install Node.js ${MIN_NODE_MAJOR} or newer.`,
  });
  let kernel;
  try {
    kernel = await createKernel({ config: configFile });
  } catch (error) {
    results.push(failedCheck('config', error));
    return results;
  }
  const report = await kernel.check();
  results.push(
    report.configProblems.length
      ? { name: 'config', ok: false, detail: `${report.configProblems.length} problem(s)`, problems: report.configProblems }
      : { name: 'config', ok: true, detail: kernel.configFile ? `${kernel.configFile} is valid` : 'no config file; using the embedded default' },
    report.graphProblems.length
      ? { name: 'plugins', ok: false, detail: `${report.graphProblems.length} problem(s) in the plugin graph`, problems: report.graphProblems }
      : { name: 'plugins', ok: true, detail: `${report.plugins.length} enabled: ${report.plugins.map((p) => p.id).join(', ') || 'none'}` },
  );
  if (report.configProblems.length || report.graphProblems.length) {
    results.push({ name: 'plugin checks', ok: false, detail: 'skipped until the config and the plugin graph are valid' });
    return results;
  }
  results.push(...(await runPluginChecks(report, Boolean(options.online))));
  return results;
}

/** Each plugin's own checks (extensionPoints.doctorChecks), one at a time, each under a time limit. */
async function runPluginChecks(report: KernelReport, online: boolean): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { item: check, pluginId } of report.contributions(extensionPoints.doctorChecks)) {
    const signal = AbortSignal.timeout(online ? 20_000 : 10_000);
    try {
      const outcome = await Promise.race([
        check.run({ config: report.section(pluginId), section: (id) => report.section(id), contributions: (point) => report.contributions(point), kernel: report.info, online, signal }),
        new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`did not finish within ${online ? 20 : 10} s`)), { once: true })),
      ]);
      for (const r of Array.isArray(outcome) ? outcome : [outcome]) results.push({ ...r, name: r.name ?? check.name });
    } catch (error) {
      results.push({ ...failedCheck(check.name, error), detail: `${pluginId}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return results;
}

function failedCheck(name: string, error: unknown): CheckResult {
  if (isAgentSdkError(error)) {
    return { name, ok: false, detail: `${error.code}: ${error.message}`, problems: error.problems, hint: error.hint };
  }
  return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
}

function printResults(results: readonly CheckResult[]): void {
  const c = colours(process.stdout);
  for (const result of results) {
    process.stdout.write(`${result.ok ? c.green('✓') : c.red('✗')} ${c.bold(result.name)}: ${result.detail}\n`);
    for (const p of result.problems ?? []) process.stdout.write(formatProblemLines(p, c));
    if (result.hint && !result.problems?.length) process.stdout.write(`    ${c.dim('hint:')} ${result.hint}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(failed ? `\n${c.red(`${failed} check(s) failed`)}\n` : `\n${c.green('All checks passed')}\n`);
}

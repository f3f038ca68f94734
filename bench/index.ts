// npm run bench — every benchmark, one after another, each in its own process (one that fails does not hide the
// others), then docs/benchmarks.md: the machine, a table of every figure, and each benchmark's own output.
//   npm run bench                    every `bench:<name>` script of package.json whose bench/<name>.ts exists
//   npm run bench -- runtime storage only these
// A benchmark that prints `BENCH_JSON {"figure", "value", "unit", "target"?, "ok"?, "note"?}` lines when given
// --json is tabled from those figures; one that does not is tabled from the markdown tables it prints.
// AGENT_SDK_TEST_PG_URL (and AGENT_SDK_BENCH_PG_URL) are passed through: with them, the storage and RAG benches
// also measure Postgres.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderReport, type BenchOutcome } from './report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ORDER = ['runtime', 'observability', 'storage', 'server', 'rag'];

const scripts = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
const available = Object.keys(scripts)
  .filter((name) => name.startsWith('bench:') && existsSync(`${root}bench/${name.slice('bench:'.length)}.ts`))
  .map((name) => name.slice('bench:'.length))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length) {
  process.stderr.write(`no benchmark named ${unknown.join(', ')}; there are: ${available.join(', ')}\n`);
  process.exit(2);
}
const benches = wanted.length ? available.filter((name) => wanted.includes(name)) : available;

/** Runs `npm run bench:<name> -- --json`, echoing its output as it comes. */
function runBench(name: string): Promise<BenchOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stderr.write(`\n== bench:${name} ==\n`);
    const child = spawn('npm', ['run', '--silent', `bench:${name}`, '--', '--json'], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      for (const line of String(chunk).split('\n')) if (line && !line.startsWith('BENCH_JSON ')) process.stderr.write(`${line}\n`);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error) => resolve({ name, exitCode: -1, seconds: (Date.now() - started) / 1000, stdout, stderr: `${stderr}\n${error.message}` }));
    child.on('close', (code, signal) => resolve({ name, exitCode: code ?? (signal ? 128 : -1), seconds: (Date.now() - started) / 1000, stdout, stderr }));
  });
}

const outcomes: BenchOutcome[] = [];
for (const name of benches) outcomes.push(await runBench(name));

const cpu = cpus();
const machine = {
  cpu: cpu[0]?.model.trim() ?? 'unknown',
  cores: cpu.length,
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  os: `${platform()} ${release()} (${arch()})`,
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  commit: await gitCommit(),
  postgres: Boolean(process.env.AGENT_SDK_BENCH_PG_URL ?? process.env.AGENT_SDK_TEST_PG_URL),
};
const report = renderReport(machine, outcomes);
writeFileSync(`${root}docs/benchmarks.md`, report);
const failed = outcomes.filter((o) => o.exitCode !== 0);
process.stderr.write(`\nwrote docs/benchmarks.md (${outcomes.length} benchmarks${failed.length ? `; failed: ${failed.map((o) => o.name).join(', ')}` : ''})\n`);
process.exitCode = failed.length ? 1 : 0;

function gitCommit(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', () => resolve(out.trim() || 'unknown'));
    child.on('error', () => resolve('unknown'));
  });
}

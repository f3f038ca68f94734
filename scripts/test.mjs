#!/usr/bin/env node
// Runs every *.test.ts under test/ and examples/ with uvu, one child process per file (a file that throws
// while loading cannot abort the others), a few at a time, and ends with one line: "N passed, N failed".
// Usage: npm test [-- <substring> ...]   e.g. npm test -- kernel config
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const concurrency = Number(process.env.TEST_CONCURRENCY) || Math.max(2, availableParallelism());
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS) || 180_000;

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = ['test', 'examples']
  .flatMap((dir) => findTests(join(root, dir)))
  .map((file) => relative(root, file))
  .filter((file) => !filters.length || filters.some((f) => file.includes(f)))
  .sort();

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[test runner] ${file} did not finish within ${fileTimeoutMs} ms; killed\n`;
      child.kill('SIGKILL');
    }, fileTimeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
      let failed = Number.isNaN(total) ? 1 : total - passed;
      let note = '';
      if (Number.isNaN(total)) note = code === 0 ? 'ran no tests (does it call test.run()?)' : `crashed with exit code ${code}`;
      else if (code !== 0 && failed === 0) {
        failed = 1;
        note = `exited with code ${code} after its tests`;
      }
      resolve({ file, passed: Number.isNaN(passed) ? 0 : passed, failed, skipped, output, note, ms: Date.now() - started });
    });
  });
}

const results = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const result = await runFile(files[next++]);
    results.push(result);
    const mark = result.failed ? '✗' : '✓';
    const skipped = result.skipped ? `, ${result.skipped} skipped` : '';
    process.stdout.write(`${mark} ${result.file} (${result.passed} passed${result.failed ? `, ${result.failed} failed` : ''}${skipped}, ${(result.ms / 1000).toFixed(1)}s)${result.note ? ` ${result.note}` : ''}\n`);
    if (result.failed) process.stdout.write(`${result.output.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}\n`);
    else for (const line of result.output.split('\n')) if (/^\s*\[skip\]/.test(line)) process.stdout.write(`    ${line.trim()}\n`);
  }
}

if (!files.length) {
  process.stdout.write(`no test files match ${filters.join(' ')}\n0 passed, 1 failed\n`);
  process.exit(1);
}
await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);

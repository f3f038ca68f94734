// docs/benchmarks.md is built from figures: BENCH_JSON lines when a benchmark prints them, its own markdown tables
// otherwise; a failed benchmark is shown as failed with the end of its output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFigures, parseTables, renderReport, type Machine } from '../../bench/report.js';

const machine: Machine = { cpu: 'Test CPU @ 3.0GHz', cores: 2, memoryGiB: 7.8, node: 'v20.20.2', os: 'linux 6.1 (x64)', date: '2026-01-01T00:00:00Z', commit: 'abc1234', postgres: false };

const runtimeOut = [
  'Node v20, 20,000 runs per rate',
  '| workload | bare | sdk |',
  '|:--|--:|--:|',
  '| sequential runs/s | 500,000 | 20,000 |',
  'targets met',
  'BENCH_JSON {"bench":"runtime","figure":"sequential runs/s","value":20394,"unit":"runs/s","target":">= 10,000","ok":true,"note":"bare loop 498,963"}',
  'BENCH_JSON {"bench":"runtime","figure":"live heap per in-flight run","value":6.5,"unit":"KB","target":"<= 8 KB","ok":false}',
  '',
].join('\n');
const serverOut = ['bench:server — 2 cores', '', '| scenario | result | detail |', '|---|---|---|', '| end to end, concurrency 50 | 412 runs/s | 2.1 ms server CPU/run |', '', 'Targets:', '  runs/s at concurrency 50: 412 (target >= 300) ok', '[skip] Postgres: not set', ''].join('\n');

test('figures come from BENCH_JSON lines; a malformed one is an error naming the line', () => {
  assert.equal(parseFigures(runtimeOut).map((f) => [f.figure, f.value, f.ok]), [['sequential runs/s', 20394, true], ['live heap per in-flight run', 6.5, false]]);
  assert.throws(() => parseFigures('BENCH_JSON {"figure":"x","value":"fast","unit":"runs/s"}'), /malformed figure line/);
  assert.equal(parseTables(serverOut), [['| scenario | result | detail |', '|---|---|---|', '| end to end, concurrency 50 | 412 runs/s | 2.1 ms server CPU/run |']]);
});

test('the report: the machine, one figures table, and each benchmark with its tables, targets, skips and failures', () => {
  const report = renderReport(machine, [
    { name: 'runtime', exitCode: 0, seconds: 5.2, stdout: runtimeOut, stderr: '' },
    { name: 'server', exitCode: 0, seconds: 61, stdout: serverOut, stderr: '' },
    { name: 'rag', exitCode: 1, seconds: 3, stdout: '', stderr: 'Error: boom\n    at somewhere' },
  ]);
  assert.match(report, '| Test CPU @ 3.0GHz | 2 | 7.8 GiB | v20.20.2 | linux 6.1 (x64) | 2026-01-01T00:00:00Z | abc1234 | not set (SQLite only) |');
  assert.match(report, '| runtime | sequential runs/s | 20,394 runs/s | >= 10,000 ✓ | bare loop 498,963 |');
  assert.match(report, '| runtime | live heap per in-flight run | 6.5 KB | <= 8 KB ✗ missed |  |');
  assert.match(report, '| server | end to end, concurrency 50 | 412 runs/s | | detail: 2.1 ms server CPU/run |');
  assert.match(report, '| rag | (no figures) | | | exit code 1 |');
  assert.match(report, '`npm run bench:rag`: **failed (exit code 1)** in 3 s.');
  assert.match(report, 'Error: boom');
  assert.match(report, '- [skip] Postgres: not set');
  assert.match(report, '- runs/s at concurrency 50: 412 (target >= 300) ok');
  assert.not.match(report, 'BENCH_JSON');
  // The printed tables are kept as printed, in the benchmark's section.
  assert.match(report, '### server\n\n`npm run bench:server`: passed in 61 s.\n\n| scenario | result | detail |');
});

test.run();

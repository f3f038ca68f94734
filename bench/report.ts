// Builds docs/benchmarks.md from what each benchmark printed (bench/index.ts runs them).

/** One benchmark's run: its exit code and what it printed. */
export interface BenchOutcome {
  readonly name: string;
  readonly exitCode: number;
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A figure as a benchmark reports it with --json (`BENCH_JSON {...}`). */
export interface BenchFigure {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly ok?: boolean;
  readonly note?: string;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly date: string;
  readonly commit: string;
  readonly postgres: boolean;
}

const PREFIX = 'BENCH_JSON ';

/** The `BENCH_JSON` figures of an output; a malformed line is an error naming it. */
export function parseFigures(stdout: string): BenchFigure[] {
  const figures: BenchFigure[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(PREFIX)) continue;
    const figure = JSON.parse(line.slice(PREFIX.length)) as BenchFigure;
    if (typeof figure.figure !== 'string' || typeof figure.value !== 'number' || !Number.isFinite(figure.value) || typeof figure.unit !== 'string') {
      throw new Error(`malformed figure line: ${line}`);
    }
    figures.push(figure);
  }
  return figures;
}

/** The markdown tables of an output (consecutive lines starting with `|`), as printed. */
export function parseTables(stdout: string): string[][] {
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line.trimStart().startsWith('|') && !line.startsWith(PREFIX)) {
      (current ??= []).push(line.trim());
    } else if (current) {
      if (current.length >= 2) tables.push(current);
      current = undefined;
    }
  }
  if (current && current.length >= 2) tables.push(current);
  return tables;
}

/** Rows of a markdown table (header, separator and body) as cells. */
export function tableRows(table: readonly string[]): { header: string[]; rows: string[][] } {
  const cells = (line: string) => line.replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());
  const [header, , ...body] = table;
  return { header: cells(header), rows: body.map(cells) };
}

const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const number = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : value < 100 ? 1 : 0 });

/** docs/benchmarks.md. */
export function renderReport(machine: Machine, outcomes: readonly BenchOutcome[]): string {
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/index.ts): every benchmark in its own process, one after another, on the machine',
    'below. Run it again to refresh this file; `npm run bench -- runtime storage` runs a subset (and still rewrites it).',
    'With AGENT_SDK_TEST_PG_URL set, the storage and RAG benchmarks also measure Postgres.',
    '',
    '## Machine',
    '',
    '| CPU | cores | memory | Node | OS | date | commit | Postgres |',
    '|---|---:|---:|---|---|---|---|---|',
    `| ${escape(machine.cpu)} | ${machine.cores} | ${machine.memoryGiB} GiB | ${machine.node} | ${escape(machine.os)} | ${machine.date} | ${machine.commit} | ${machine.postgres ? 'yes' : 'not set (SQLite only)'} |`,
    '',
    '## Figures',
    '',
    '| benchmark | figure | value | target | note |',
    '|---|---|---:|---|---|',
  ];
  const sections: string[] = [];
  for (const outcome of outcomes) {
    let figures: BenchFigure[] = [];
    let parseError: string | undefined;
    try {
      figures = parseFigures(outcome.stdout);
    } catch (error) {
      parseError = (error as Error).message;
    }
    const tables = parseTables(outcome.stdout);
    if (figures.length) {
      for (const f of figures) {
        const target = f.target === undefined ? '' : `${escape(f.target)} ${f.ok === undefined ? '' : f.ok ? '✓' : '✗ missed'}`.trim();
        lines.push(`| ${outcome.name} | ${escape(f.figure)} | ${number(f.value)} ${escape(f.unit)} | ${target} | ${escape(f.note ?? '')} |`);
      }
    } else {
      // No figures: one row per row of the benchmark's own tables, its first cell as the figure.
      for (const table of tables) {
        const { header, rows } = tableRows(table);
        const label = (i: number) => (header[i] && !/^(result|value)$/i.test(header[i]) ? `${header[i]}: ` : '');
        for (const row of rows) {
          const rest = row.slice(2).map((cell, i) => `${label(i + 2)}${cell}`).join('; ');
          lines.push(`| ${outcome.name} | ${row[0]} | ${label(1)}${row[1] ?? ''} | | ${rest} |`);
        }
      }
    }
    if (!figures.length && !tables.length) lines.push(`| ${outcome.name} | (no figures) | | | exit code ${outcome.exitCode} |`);

    const status = outcome.exitCode === 0 ? 'passed' : `**failed (exit code ${outcome.exitCode})**`;
    // What a benchmark says about its targets, skips and warnings, as it said it.
    const notes = outcome.stdout
      .split('\n')
      .filter((line) => /target|\[skip\]|warning|missed/i.test(line) && !/^\s*targets?:\s*$/i.test(line) && !line.startsWith(PREFIX) && !line.trimStart().startsWith('|'))
      .map((line) => `- ${line.trim()}`);
    sections.push(
      `### ${outcome.name}`,
      '',
      `\`npm run bench:${outcome.name}\`: ${status} in ${Math.round(outcome.seconds)} s.${parseError ? ` Its figures could not be read: ${escape(parseError)}.` : ''}`,
      '',
      ...tables.flatMap((table) => [...table, '']),
      ...(notes.length ? [...notes, ''] : []),
      ...(outcome.exitCode !== 0 ? ['```', ...tail(outcome.stderr || outcome.stdout, 15), '```', ''] : []),
    );
  }
  return [...lines, '', '## Each benchmark', '', ...sections].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function tail(text: string, count: number): string[] {
  return text.trimEnd().split('\n').slice(-count);
}

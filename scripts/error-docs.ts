// Renders docs/errors.md from the error registry: `npm run docs:errors` writes it, and
// test/core/errors-docs.test.ts fails when the file and the registry disagree.
import { writeFileSync } from 'node:fs';
import { errorGroups } from '../core/errors/registry.js';

const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderErrorDocs(): string {
  const lines = [
    '# Error codes',
    '',
    'Every error agent-sdk raises carries a stable `code`, a `message` that names what was involved (a config',
    'path, a plugin, a tool, a run) and a `hint`. Over HTTP they arrive as `application/problem+json` with the',
    'same `code`; the CLI prints them with the hint. Messages below show their `{placeholders}`.',
    '',
    'This file is generated from `core/errors/codes/*.ts` by `npm run docs:errors`; a test fails when they drift.',
    '',
  ];
  for (const group of errorGroups) {
    const entries = Object.entries(group.codes);
    if (!entries.length) continue;
    lines.push(`## ${group.title}`, '', '| Code | What happened | How to fix | HTTP |', '|---|---|---|---|');
    for (const [code, spec] of entries) lines.push(`| \`${code}\` | ${escape(spec.message)} | ${escape(spec.hint)} | ${spec.status} |`);
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs());
  process.stdout.write('wrote docs/errors.md\n');
}

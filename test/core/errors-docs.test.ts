import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { errorCodes } from '../../core/index.js';
import { renderErrorDocs } from '../../scripts/error-docs.js';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

test('every registered error code has a row in docs/errors.md with its hint', () => {
  const missing = Object.entries(errorCodes).filter(([code, spec]) => {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    return !row || !row.includes(spec.hint.replace(/\|/g, '\\|'));
  });
  assert.equal(missing.map(([code]) => code), [], 'run `npm run docs:errors` to regenerate docs/errors.md');
});

test('docs/errors.md lists no code the registry does not know', () => {
  const documented = [...docs.matchAll(/^\| `(ASDK_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  assert.equal(documented.filter((code) => !(code in errorCodes)), []);
  assert.is(docs, renderErrorDocs(), 'docs/errors.md is stale: run `npm run docs:errors`');
});

test('codes are ASDK_ upper snake case, with a message, a hint and an HTTP status', () => {
  for (const [code, spec] of Object.entries(errorCodes)) {
    assert.match(code, /^ASDK_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    assert.ok(spec.message.length > 5 && spec.hint.length > 5, code);
    assert.ok(spec.status >= 400 && spec.status < 600, code);
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { envOverrides, KernelSection, PluginsSection } from '../../core/index.js';
import { configDocsFile, END, renderConfigDocs, START } from '../../scripts/config-docs.js';

const docs = readFileSync(configDocsFile, 'utf8');

test('docs/config.md holds the plugin reference the schemas render', () => {
  assert.ok(docs.includes(START) && docs.includes(END), 'docs/config.md lost its plugin-config markers: run `npm run docs:config`');
  const expected = renderConfigDocs(docs);
  if (docs === expected) return;
  // Show the first line that differs rather than a diff of the whole file.
  const [have, want] = [docs.split('\n'), expected.split('\n')];
  const at = want.findIndex((line, i) => line !== have[i]);
  const line = at === -1 ? want.length : at;
  assert.is(have[line], want[line], `docs/config.md is stale from line ${line + 1}: run \`npm run docs:config\` and commit the result`);
});

test('the hand-written tables name every kernel key and every AGENT_SDK_* override', () => {
  const handWritten = docs.slice(0, docs.indexOf(START));
  const rowOf = (key: string) => new RegExp(`^\\| \`${key}\` \\|`, 'm');
  const missingKeys = [...Object.keys(KernelSection.properties), ...Object.keys(PluginsSection.properties)].filter((key) => !rowOf(key).test(handWritten));
  assert.equal(missingKeys, [], 'keys of kernel: / plugins: without a row in docs/config.md');
  const missingVars = envOverrides.map((o) => o.name).filter((name) => !rowOf(name).test(handWritten));
  assert.equal(missingVars, [], 'AGENT_SDK_* overrides without a row in docs/config.md');
});

test.run();

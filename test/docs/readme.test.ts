// README.md is the front page: its library snippet must be the example a test runs (examples/embedding/quickstart.ts),
// and its documentation table must list every page of docs/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

test('the README embedding snippet is examples/embedding/quickstart.ts, imported from the package', () => {
  const example = readFileSync(new URL('examples/embedding/quickstart.ts', root), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('//'))
    .join('\n')
    .replace("from '../../index.js'", "from 'agent-sdk'")
    .trim();
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  assert.ok(snippets.includes(example), 'README.md no longer shows examples/embedding/quickstart.ts as written: copy it over (with `from \'agent-sdk\'`)');
});

test('the README links every page of docs/', () => {
  const pages = readdirSync(new URL('docs/', root)).filter((name) => name.endsWith('.md'));
  assert.equal(pages.filter((page) => !readme.includes(`](docs/${page})`)), [], 'pages of docs/ missing from the README');
});

test('the README shows the two commands', () => {
  assert.ok(readme.includes('```sh\nnpm install && npm start\n```'));
  assert.ok(readme.includes('```sh\nnpm test\n```'));
});

test.run();

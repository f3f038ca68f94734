// Formats to blocks (Markdown with front matter, HTML, plain text) and chunking by structure with overlap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtinFormats, chunkDocument, parseMarkdown, parsePlainText, htmlFormat } from '../../../plugins/rag/index.js';
import { findFormat } from '../../../plugins/rag/ingest/formats.js';
import { sentences } from '../../../plugins/rag/ingest/chunker.js';

test('markdown: front matter, headings (ATX and setext), lists, code, quotes, tables; inline markup to text', () => {
  const parsed = parseMarkdown(
    [
      '---',
      'title: Returns',
      'team: support',
      'version: 2',
      'tags: [a, b]',
      '---',
      'Intro with a [link](http://x.example) and **bold**, `code` and ![a logo](logo.png).',
      '',
      'Setext heading',
      '--------------',
      '',
      '- one',
      '- two',
      '  continued',
      '1. three',
      '',
      '```js',
      'const a = 1;',
      '',
      'const b = 2;',
      '```',
      '',
      '> quoted',
      '> text',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      '***',
      '### Deep ###',
      'Last.',
    ].join('\n'),
  );
  assert.is(parsed.title, 'Returns');
  assert.equal(parsed.metadata, { team: 'support', version: 2 }, 'scalar front matter becomes metadata; lists do not');
  assert.equal(parsed.blocks, [
    { kind: 'paragraph', text: 'Intro with a link and bold, code and a logo.' },
    { kind: 'heading', level: 2, text: 'Setext heading' },
    { kind: 'list', text: '- one\n- two continued\n- three' },
    { kind: 'code', text: 'const a = 1;\n\nconst b = 2;' },
    { kind: 'quote', text: 'quoted text' },
    { kind: 'table', text: 'a | b\n1 | 2' },
    { kind: 'heading', level: 3, text: 'Deep' },
    { kind: 'paragraph', text: 'Last.' },
  ]);
  assert.is(parseMarkdown('Text\n\n# The Title\n\nMore').title, 'The Title', 'without front matter: the first level-1 heading');
});

test('html: title, headings and paragraphs; no scripts, styles, navigation or link targets', async () => {
  const parsed = await htmlFormat.parse({
    source: 'faq.html',
    bytes: new Uint8Array(),
    text: `<html><head><title>Shop FAQ</title><style>p{}</style><script>var secret = 1;</script></head><body>
      <nav><a href="/">Home</a></nav><h1>Frequently asked</h1><p>We ship <b>worldwide</b>. See <a href="/terms">our terms</a>.</p>
      <h2>Refunds</h2><ul><li>Refunds take 5 days.</li><li>Exchanges are free.</li></ul><p>&gt; not a quote &amp; fine</p></body></html>`,
  });
  assert.is(parsed.title, 'Shop FAQ');
  assert.equal(parsed.blocks, [
    { kind: 'heading', level: 1, text: 'Frequently asked' },
    { kind: 'paragraph', text: 'We ship worldwide. See our terms.' },
    { kind: 'heading', level: 2, text: 'Refunds' },
    { kind: 'list', text: '- Refunds take 5 days.\n- Exchanges are free.' },
    { kind: 'paragraph', text: '> not a quote & fine' },
  ]);
});

test('plain text: paragraphs; a short first line without punctuation is the title', () => {
  const parsed = parsePlainText('Store Hours\n\nOpen daily\nfrom 10 to 7.\n\n\nClosed on Sundays.');
  assert.is(parsed.title, 'Store Hours');
  assert.equal(parsed.blocks, [
    { kind: 'heading', level: 1, text: 'Store Hours' },
    { kind: 'paragraph', text: 'Open daily from 10 to 7.' },
    { kind: 'paragraph', text: 'Closed on Sundays.' },
  ]);
  assert.is(parsePlainText('Just one sentence.').title, undefined);
});

test('formats are found by media type, then by extension; unknown ones are not', () => {
  assert.is(findFormat(builtinFormats, { source: 'a/b.MD' })?.name, 'markdown');
  assert.is(findFormat(builtinFormats, { source: 'page.htm' })?.name, 'html');
  assert.is(findFormat(builtinFormats, { source: 'notes', mediaType: 'text/plain; charset=utf-8' })?.name, 'text');
  assert.is(findFormat(builtinFormats, { source: 'x.md', mediaType: 'text/html' })?.name, 'html', 'a declared type wins');
  assert.is(findFormat(builtinFormats, { source: 'x.pdf' }), undefined);
  assert.is(findFormat(builtinFormats, { source: 'x.txt', format: 'markdown' })?.name, 'markdown');
});

const sentence = (i: number) => `Sentence ${i} says something about topic ${i % 4} in a few words.`;

test('chunks: a heading starts a chunk; its path leads the text; small sections are kept together', () => {
  const big = Array.from({ length: 20 }, (_, i) => sentence(i)).join(' ');
  const doc = parseMarkdown(`# Guide\n\nShort intro.\n\n## Small\n\nTiny.\n\n## Big\n\n${big}\n\n### Inner\n\n${sentence(99)}\n\n## Last\n\n${sentence(100)}`);
  const chunks = chunkDocument(doc, { maxChars: 1_000, overlapChars: 100 });
  assert.equal(chunks.map((c) => c.heading), ['Guide', 'Guide › Big', 'Guide › Big']);
  assert.is(chunks[0].text, 'Guide\n\nShort intro.\n\nSmall\n\nTiny.', 'a short section takes the next along when all of it fits, not Big');
  assert.ok(chunks[1].text.startsWith('Guide › Big\n\nSentence 0 says'));
  assert.ok(chunks[2].text.endsWith(`${sentence(19)}\n\nInner\n\n${sentence(99)}\n\nLast\n\n${sentence(100)}`), 'the short end of Big takes Inner and Last along');
  assert.equal(chunks.map((c) => c.position), [0, 1, 2]);
  const separate = chunkDocument(doc, { maxChars: 1_000, overlapChars: 0 }).map((c) => c.text);
  assert.ok(separate.every((text) => text.length <= 1_000));
});

test('chunks: a long section is split at sentence ends within maxChars, each part repeating the last sentences of the previous', () => {
  const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');
  const chunks = chunkDocument(parseMarkdown(`# Long\n\n${text}`), { maxChars: 400, overlapChars: 120 });
  assert.ok(chunks.length >= 6, `${chunks.length} chunks`);
  for (const chunk of chunks) {
    assert.ok(chunk.text.length <= 400, `${chunk.text.length} > 400`);
    assert.ok(chunk.text.startsWith('Long\n\n'));
    assert.match(chunk.text, /\.$/, 'ends at a sentence end');
  }
  for (let i = 1; i < chunks.length; i++) {
    const previousLast = sentences(chunks[i - 1].text).at(-1)!;
    assert.ok(chunks[i].text.includes(previousLast), `chunk ${i} starts with the end of chunk ${i - 1}`);
  }
  // Every sentence is in some chunk, in order.
  const joined = chunks.map((c) => c.text).join(' ');
  let at = 0;
  for (let i = 0; i < 40; i++) {
    const found = joined.indexOf(sentence(i), at);
    assert.ok(found >= 0, `sentence ${i} is kept`);
    at = found;
  }
  const none = chunkDocument(parseMarkdown(`# Long\n\n${text}`), { maxChars: 400, overlapChars: 0 });
  assert.ok(none.length < chunks.length, 'no overlap, fewer chunks');
});

test('chunks: code splits at line ends without overlap; a word longer than a chunk is cut', () => {
  const code = Array.from({ length: 60 }, (_, i) => `line ${i} of the program`).join('\n');
  const chunks = chunkDocument(parseMarkdown(`## Code\n\n\`\`\`\n${code}\n\`\`\``), { maxChars: 300, overlapChars: 100 });
  assert.ok(chunks.length > 3);
  assert.ok(chunks.every((c) => c.text.length <= 300));
  assert.ok(chunks[1].text.startsWith('Code\n\nline '), 'no sentence overlap in code');
  assert.not.ok(chunks[1].text.includes(chunks[0].text.split('\n').at(-1)!), 'lines are not repeated');
  const long = chunkDocument(parsePlainText('x'.repeat(1_000)), { maxChars: 200, overlapChars: 0 });
  assert.equal(long.map((c) => c.text.length), [200, 200, 200, 200, 200]);
  assert.equal(chunkDocument(parsePlainText('   '), { maxChars: 200, overlapChars: 0 }), []);
  const emoji = chunkDocument(parsePlainText('😀'.repeat(150)), { maxChars: 101, overlapChars: 0 });
  assert.ok(emoji.every((c) => !/[\uD800-\uDBFF]$/.test(c.text) && !/^[\uDC00-\uDFFF]/.test(c.text)), 'no chunk ends or starts inside a surrogate pair');
  assert.is(emoji.map((c) => c.text).join(''), '😀'.repeat(150));
});

test('sentences: split at . ! ? before a capital or digit; abbreviations and decimals mostly survive', () => {
  assert.equal(sentences('It costs 4.90 euros. Next day! Really? "Yes." 2 more. e.g. lower'), ['It costs 4.90 euros.', 'Next day!', 'Really?', '"Yes."', '2 more. e.g. lower']);
});

test.run();

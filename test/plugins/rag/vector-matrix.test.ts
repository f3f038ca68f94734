// Exact search's hot loop: the WebAssembly SIMD kernel gives the same scores as plain JavaScript (any length,
// padded to 8), and topK keeps the k best of the allowed rows, best first, ties to the lower row.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reciprocalRankFusion, topK, VectorMatrix, wasmKernelAvailable } from '../../../plugins/rag/index.js';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function fill(rows: number, dims: number, useWasm: boolean, rnd: () => number): VectorMatrix {
  const m = VectorMatrix.allocate(rows, dims, { useWasm });
  for (let r = 0; r < rows; r++) m.setRow(r, Float32Array.from({ length: dims }, rnd));
  return m;
}

test('the WebAssembly kernel is used here and agrees with the JavaScript loop and a naive dot product', () => {
  assert.ok(wasmKernelAvailable(), 'Node 20 has WebAssembly SIMD');
  for (const dims of [384, 100, 7, 1536]) {
    const rows = 257;
    const wasm = fill(rows, dims, true, random(dims));
    const js = fill(rows, dims, false, random(dims));
    assert.ok(wasm.usesWasm && !js.usesWasm);
    assert.is(wasm.stride % 8, 0);
    const rnd = random(99);
    const query = Float32Array.from({ length: dims }, rnd);
    const a = Float32Array.from(wasm.scores(query));
    const b = Float32Array.from(js.scores(query));
    for (let r = 0; r < rows; r++) {
      let naive = 0;
      for (let j = 0; j < dims; j++) naive += js.data[r * js.stride + j] * query[j];
      assert.ok(Math.abs(a[r] - naive) < 1e-4 && Math.abs(b[r] - naive) < 1e-4, `dims ${dims} row ${r}: ${a[r]} ${b[r]} ${naive}`);
    }
  }
});

test('copyRows moves whole rows between matrices; byteSize counts what is held', () => {
  const source = fill(10, 16, true, random(1));
  const target = VectorMatrix.allocate(4, 16);
  target.copyRows(source, 3, 1, 2);
  assert.equal([...target.data.subarray(16, 48)], [...source.data.subarray(48, 80)]);
  assert.ok(target.data.subarray(0, 16).every((x) => x === 0));
  assert.is(target.byteSize, (4 * 16 + 16 + 4) * 4);
  const empty = VectorMatrix.allocate(0, 384);
  assert.is(empty.scores(new Float32Array(384)).length, 0);
});

test('topK: the k best, best first, ties to the lower index, only allowed rows', () => {
  const scores = Float32Array.from([0.1, 0.9, 0.5, 0.9, -1, 0.7, 0.2]);
  assert.equal(topK(scores, scores.length, 3), [{ index: 1, score: scores[1] }, { index: 3, score: scores[3] }, { index: 5, score: scores[5] }]);
  const allowed = Uint8Array.from([1, 0, 1, 0, 1, 1, 1]);
  assert.equal(topK(scores, scores.length, 2, allowed).map((h) => h.index), [5, 2]);
  assert.equal(topK(scores, scores.length, 0), []);
  assert.equal(topK(scores, 3, 10).map((h) => h.index), [1, 2, 0], 'count limits the rows read');
  const rnd = random(7);
  const many = Float32Array.from({ length: 5_000 }, rnd);
  const expected = [...many].map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index).slice(0, 25).map((h) => h.index);
  assert.equal(topK(many, many.length, 25).map((h) => h.index), expected);
});

test('reciprocal rank fusion: agreement between lists beats one list\'s top hit', () => {
  const fused = reciprocalRankFusion([['a', 'b', 'c'], ['c', 'a', 'd']], 60);
  assert.equal(fused.map((h) => h.id), ['a', 'c', 'b', 'd']);
  assert.ok(Math.abs(fused[0].score - (1 / 61 + 1 / 62)) < 1e-12);
  assert.equal(reciprocalRankFusion([['x'], []]).map((h) => h.id), ['x']);
});

test.run();

;; The exact-search kernel of plugins/rag/search/vector-matrix.ts, as WebAssembly text.
;; scores[r] = dot(row r, query) for every row: two f32x4 accumulators per row (8 floats per step), so
;; the row stride must be a multiple of 8 floats. Assembled with wabt (wat2wasm --enable-simd) into the
;; 271 bytes held as base64 in vector-matrix.ts; test/plugins/rag/vector-matrix.test.ts checks the kernel
;; against the plain JavaScript loop.
(module
  (memory (export "memory") 1)
  ;; scores[r] = dot(matrix row r, query) for r in [0, n); dims is a multiple of 8; pointers in bytes.
  (func (export "scores") (param $m i32) (param $q i32) (param $out i32) (param $n i32) (param $dims i32)
    (local $row i32) (local $end i32) (local $j i32) (local $rowBytes i32) (local $a v128) (local $b v128) (local $o i32)
    (local.set $rowBytes (i32.shl (local.get $dims) (i32.const 2)))
    (local.set $row (local.get $m))
    (local.set $o (local.get $out))
    (local.set $end (i32.add (local.get $m) (i32.mul (local.get $n) (local.get $rowBytes))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $b (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $a (f32x4.add (local.get $a)
            (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $j))) (v128.load (i32.add (local.get $q) (local.get $j))))))
          (local.set $b (f32x4.add (local.get $b)
            (f32x4.mul (v128.load offset=16 (i32.add (local.get $row) (local.get $j))) (v128.load offset=16 (i32.add (local.get $q) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $rowBytes))))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store (local.get $o)
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
                   (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br $rows)))))

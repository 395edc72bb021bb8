;; The dense engine's hot loops as WebAssembly SIMD: nn.Linear's three matrix products and
;; torch.optim's updates, over float32 buffers in one imported memory (the engine's
;; Float32Arrays are views of it, so a call copies nothing; shared, so growing it keeps
;; those views valid, and its maximum matches memory.ts's MAX_PAGES). Pointers are byte offsets,
;; counts are elements; matrices are row-major, weights [out, in] as torch keeps them.
;;
;; The products sum in a different order from the JS reference (four lanes, then across
;; them), so they agree with it to float32 rounding. The optimizer updates repeat the JS
;; reference operation for operation: JS computes in float64 and rounds to float32 where it
;; calls Math.fround or stores into a Float32Array, so these do the same in f64x2 lanes and
;; give the same bits. f(…) in their comments, f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero …)
;; in their code, is that rounding (written out in place: V8 does not inline wasm calls).
;;
;; The optimizer loops take two elements at a time and may run one element past a buffer's
;; length: the allocator (memory.ts) pads every buffer with zeros to a multiple of four
;; floats, and every update keeps a zero parameter with a zero gradient and zero state at zero.
(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; y[r, o] = Σ_j x[r, j] · w[o, j] + b[o]    x [n, k], w [m, k], b [m], y [n, m]
  (func (export "linear_forward")
    (param $x i32) (param $w i32) (param $b i32) (param $y i32) (param $n i32) (param $k i32) (param $m i32)
    (local $kb i32) (local $k4b i32) (local $xr i32) (local $xend i32) (local $yr i32) (local $o i32) (local $jb i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $xv v128) (local $t1 v128) (local $t2 v128) (local $s v128)
    (local $sf f32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $k4b (i32.shl (i32.and (local.get $k) (i32.const -4)) (i32.const 2)))
    (local.set $xr (local.get $x))
    (local.set $xend (i32.add (local.get $x) (i32.mul (local.get $n) (local.get $kb))))
    (local.set $yr (local.get $y))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $xr) (local.get $xend)))
        (local.set $o (i32.const 0))
        (local.set $w0 (local.get $w))
        ;; four outputs at a time: four dot products share each load of x
        (block $quads_done
          (loop $quads
            (br_if $quads_done (i32.gt_s (i32.add (local.get $o) (i32.const 4)) (local.get $m)))
            (local.set $w1 (i32.add (local.get $w0) (local.get $kb)))
            (local.set $w2 (i32.add (local.get $w1) (local.get $kb)))
            (local.set $w3 (i32.add (local.get $w2) (local.get $kb)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $a2 (v128.const f32x4 0 0 0 0))
            (local.set $a3 (v128.const f32x4 0 0 0 0))
            (local.set $jb (i32.const 0))
            (block $vec_done
              (loop $vec
                (br_if $vec_done (i32.ge_u (local.get $jb) (local.get $k4b)))
                (local.set $xv (v128.load align=4 (i32.add (local.get $xr) (local.get $jb))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xv) (v128.load align=4 (i32.add (local.get $w0) (local.get $jb))))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xv) (v128.load align=4 (i32.add (local.get $w1) (local.get $jb))))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $xv) (v128.load align=4 (i32.add (local.get $w2) (local.get $jb))))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $xv) (v128.load align=4 (i32.add (local.get $w3) (local.get $jb))))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 16)))
                (br $vec)))
            ;; transpose-and-add: lane i of $s is the sum of $a<i>'s lanes
            (local.set $t1 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
            (local.set $t2 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
            (local.set $s (f32x4.add
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $t1) (local.get $t2))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $t1) (local.get $t2))))
            ;; the last k mod 4 inputs
            (block $tail_done
              (loop $tail
                (br_if $tail_done (i32.ge_u (local.get $jb) (local.get $kb)))
                (local.set $s (f32x4.add (local.get $s) (f32x4.mul
                  (f32x4.splat (f32.load (i32.add (local.get $xr) (local.get $jb))))
                  (f32x4.replace_lane 3
                    (f32x4.replace_lane 2
                      (f32x4.replace_lane 1
                        (f32x4.splat (f32.load (i32.add (local.get $w0) (local.get $jb))))
                        (f32.load (i32.add (local.get $w1) (local.get $jb))))
                      (f32.load (i32.add (local.get $w2) (local.get $jb))))
                    (f32.load (i32.add (local.get $w3) (local.get $jb)))))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 4)))
                (br $tail)))
            (v128.store align=4 (i32.add (local.get $yr) (i32.shl (local.get $o) (i32.const 2)))
              (f32x4.add (local.get $s) (v128.load align=4 (i32.add (local.get $b) (i32.shl (local.get $o) (i32.const 2))))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $w0 (i32.add (local.get $w3) (local.get $kb)))
            (br $quads)))
        ;; the last m mod 4 outputs, one dot product each
        (block $singles_done
          (loop $singles
            (br_if $singles_done (i32.ge_s (local.get $o) (local.get $m)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $jb (i32.const 0))
            (block $vec1_done
              (loop $vec1
                (br_if $vec1_done (i32.ge_u (local.get $jb) (local.get $k4b)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
                  (v128.load align=4 (i32.add (local.get $xr) (local.get $jb)))
                  (v128.load align=4 (i32.add (local.get $w0) (local.get $jb))))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 16)))
                (br $vec1)))
            (local.set $t1 (f32x4.add (local.get $a0)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a0) (local.get $a0))))
            (local.set $sf (f32.add (f32x4.extract_lane 0 (local.get $t1)) (f32x4.extract_lane 1 (local.get $t1))))
            (block $tail1_done
              (loop $tail1
                (br_if $tail1_done (i32.ge_u (local.get $jb) (local.get $kb)))
                (local.set $sf (f32.add (local.get $sf) (f32.mul
                  (f32.load (i32.add (local.get $xr) (local.get $jb)))
                  (f32.load (i32.add (local.get $w0) (local.get $jb))))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 4)))
                (br $tail1)))
            (f32.store (i32.add (local.get $yr) (i32.shl (local.get $o) (i32.const 2)))
              (f32.add (local.get $sf) (f32.load (i32.add (local.get $b) (i32.shl (local.get $o) (i32.const 2))))))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (local.set $w0 (i32.add (local.get $w0) (local.get $kb)))
            (br $singles)))
        (local.set $xr (i32.add (local.get $xr) (local.get $kb)))
        (local.set $yr (i32.add (local.get $yr) (i32.shl (local.get $m) (i32.const 2))))
        (br $rows))))

  ;; dx[r, j] = Σ_o dy[r, o] · w[o, j]    dy [n, m], w [m, k], dx [n, k]
  (func (export "linear_backward_input")
    (param $dy i32) (param $w i32) (param $dx i32) (param $n i32) (param $k i32) (param $m i32)
    (local $kb i32) (local $mb i32) (local $r i32) (local $dyr i32) (local $dxr i32) (local $jb i32) (local $ob i32) (local $wp i32)
    (local $g v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sf f32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $mb (i32.shl (local.get $m) (i32.const 2)))
    (local.set $dyr (local.get $dy))
    (local.set $dxr (local.get $dx))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $r) (local.get $n)))
        (local.set $jb (i32.const 0))
        ;; sixteen columns at a time, held in registers while the outputs stream past
        (block $b16_done
          (loop $b16
            (br_if $b16_done (i32.gt_u (i32.add (local.get $jb) (i32.const 64)) (local.get $kb)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $a2 (v128.const f32x4 0 0 0 0))
            (local.set $a3 (v128.const f32x4 0 0 0 0))
            (local.set $ob (i32.const 0))
            (local.set $wp (i32.add (local.get $w) (local.get $jb)))
            (block $o_done
              (loop $o
                (br_if $o_done (i32.ge_u (local.get $ob) (local.get $mb)))
                (local.set $g (f32x4.splat (f32.load (i32.add (local.get $dyr) (local.get $ob)))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $g) (v128.load align=4 (local.get $wp)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $g) (v128.load offset=16 align=4 (local.get $wp)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $g) (v128.load offset=32 align=4 (local.get $wp)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $g) (v128.load offset=48 align=4 (local.get $wp)))))
                (local.set $ob (i32.add (local.get $ob) (i32.const 4)))
                (local.set $wp (i32.add (local.get $wp) (local.get $kb)))
                (br $o)))
            (v128.store align=4 (i32.add (local.get $dxr) (local.get $jb)) (local.get $a0))
            (v128.store offset=16 align=4 (i32.add (local.get $dxr) (local.get $jb)) (local.get $a1))
            (v128.store offset=32 align=4 (i32.add (local.get $dxr) (local.get $jb)) (local.get $a2))
            (v128.store offset=48 align=4 (i32.add (local.get $dxr) (local.get $jb)) (local.get $a3))
            (local.set $jb (i32.add (local.get $jb) (i32.const 64)))
            (br $b16)))
        (block $b4_done
          (loop $b4
            (br_if $b4_done (i32.gt_u (i32.add (local.get $jb) (i32.const 16)) (local.get $kb)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $ob (i32.const 0))
            (local.set $wp (i32.add (local.get $w) (local.get $jb)))
            (block $o4_done
              (loop $o4
                (br_if $o4_done (i32.ge_u (local.get $ob) (local.get $mb)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
                  (f32x4.splat (f32.load (i32.add (local.get $dyr) (local.get $ob))))
                  (v128.load align=4 (local.get $wp)))))
                (local.set $ob (i32.add (local.get $ob) (i32.const 4)))
                (local.set $wp (i32.add (local.get $wp) (local.get $kb)))
                (br $o4)))
            (v128.store align=4 (i32.add (local.get $dxr) (local.get $jb)) (local.get $a0))
            (local.set $jb (i32.add (local.get $jb) (i32.const 16)))
            (br $b4)))
        (block $b1_done
          (loop $b1
            (br_if $b1_done (i32.ge_u (local.get $jb) (local.get $kb)))
            (local.set $sf (f32.const 0))
            (local.set $ob (i32.const 0))
            (local.set $wp (i32.add (local.get $w) (local.get $jb)))
            (block $o1_done
              (loop $o1
                (br_if $o1_done (i32.ge_u (local.get $ob) (local.get $mb)))
                (local.set $sf (f32.add (local.get $sf) (f32.mul
                  (f32.load (i32.add (local.get $dyr) (local.get $ob)))
                  (f32.load (local.get $wp)))))
                (local.set $ob (i32.add (local.get $ob) (i32.const 4)))
                (local.set $wp (i32.add (local.get $wp) (local.get $kb)))
                (br $o1)))
            (f32.store (i32.add (local.get $dxr) (local.get $jb)) (local.get $sf))
            (local.set $jb (i32.add (local.get $jb) (i32.const 4)))
            (br $b1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (local.set $dyr (i32.add (local.get $dyr) (local.get $mb)))
        (local.set $dxr (i32.add (local.get $dxr) (local.get $kb)))
        (br $rows))))

  ;; dw[o, j] (+)= Σ_r dy[r, o] · x[r, j]; db[o] (+)= Σ_r dy[r, o]    dy [n, m], x [n, k]
  ;; with $accumulate 0 the sums overwrite dw and db, otherwise they add to them (as .grad does)
  (func (export "linear_backward_params")
    (param $dy i32) (param $x i32) (param $dw i32) (param $db i32) (param $n i32) (param $k i32) (param $m i32) (param $accumulate i32)
    (local $kb i32) (local $mb i32) (local $nmb i32) (local $ob i32) (local $jb i32) (local $dwo i32) (local $rb i32) (local $xp i32) (local $p i32)
    (local $g v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sf f32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $mb (i32.shl (local.get $m) (i32.const 2)))
    (local.set $nmb (i32.mul (local.get $n) (local.get $mb)))
    (local.set $dwo (local.get $dw))
    (block $outs_done
      (loop $outs
        (br_if $outs_done (i32.ge_u (local.get $ob) (local.get $mb)))
        (local.set $jb (i32.const 0))
        (block $b16_done
          (loop $b16
            (br_if $b16_done (i32.gt_u (i32.add (local.get $jb) (i32.const 64)) (local.get $kb)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $a2 (v128.const f32x4 0 0 0 0))
            (local.set $a3 (v128.const f32x4 0 0 0 0))
            (local.set $rb (i32.const 0))
            (local.set $xp (i32.add (local.get $x) (local.get $jb)))
            (block $r_done
              (loop $r
                (br_if $r_done (i32.ge_u (local.get $rb) (local.get $nmb)))
                (local.set $g (f32x4.splat (f32.load (i32.add (local.get $dy) (i32.add (local.get $rb) (local.get $ob))))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $g) (v128.load align=4 (local.get $xp)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $g) (v128.load offset=16 align=4 (local.get $xp)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $g) (v128.load offset=32 align=4 (local.get $xp)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $g) (v128.load offset=48 align=4 (local.get $xp)))))
                (local.set $rb (i32.add (local.get $rb) (local.get $mb)))
                (local.set $xp (i32.add (local.get $xp) (local.get $kb)))
                (br $r)))
            (local.set $p (i32.add (local.get $dwo) (local.get $jb)))
            (if (local.get $accumulate)
              (then
                (local.set $a0 (f32x4.add (v128.load align=4 (local.get $p)) (local.get $a0)))
                (local.set $a1 (f32x4.add (v128.load offset=16 align=4 (local.get $p)) (local.get $a1)))
                (local.set $a2 (f32x4.add (v128.load offset=32 align=4 (local.get $p)) (local.get $a2)))
                (local.set $a3 (f32x4.add (v128.load offset=48 align=4 (local.get $p)) (local.get $a3)))))
            (v128.store align=4 (local.get $p) (local.get $a0))
            (v128.store offset=16 align=4 (local.get $p) (local.get $a1))
            (v128.store offset=32 align=4 (local.get $p) (local.get $a2))
            (v128.store offset=48 align=4 (local.get $p) (local.get $a3))
            (local.set $jb (i32.add (local.get $jb) (i32.const 64)))
            (br $b16)))
        (block $b4_done
          (loop $b4
            (br_if $b4_done (i32.gt_u (i32.add (local.get $jb) (i32.const 16)) (local.get $kb)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $rb (i32.const 0))
            (local.set $xp (i32.add (local.get $x) (local.get $jb)))
            (block $r4_done
              (loop $r4
                (br_if $r4_done (i32.ge_u (local.get $rb) (local.get $nmb)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
                  (f32x4.splat (f32.load (i32.add (local.get $dy) (i32.add (local.get $rb) (local.get $ob)))))
                  (v128.load align=4 (local.get $xp)))))
                (local.set $rb (i32.add (local.get $rb) (local.get $mb)))
                (local.set $xp (i32.add (local.get $xp) (local.get $kb)))
                (br $r4)))
            (local.set $p (i32.add (local.get $dwo) (local.get $jb)))
            (if (local.get $accumulate)
              (then (local.set $a0 (f32x4.add (v128.load align=4 (local.get $p)) (local.get $a0)))))
            (v128.store align=4 (local.get $p) (local.get $a0))
            (local.set $jb (i32.add (local.get $jb) (i32.const 16)))
            (br $b4)))
        (block $b1_done
          (loop $b1
            (br_if $b1_done (i32.ge_u (local.get $jb) (local.get $kb)))
            (local.set $sf (f32.const 0))
            (local.set $rb (i32.const 0))
            (local.set $xp (i32.add (local.get $x) (local.get $jb)))
            (block $r1_done
              (loop $r1
                (br_if $r1_done (i32.ge_u (local.get $rb) (local.get $nmb)))
                (local.set $sf (f32.add (local.get $sf) (f32.mul
                  (f32.load (i32.add (local.get $dy) (i32.add (local.get $rb) (local.get $ob))))
                  (f32.load (local.get $xp)))))
                (local.set $rb (i32.add (local.get $rb) (local.get $mb)))
                (local.set $xp (i32.add (local.get $xp) (local.get $kb)))
                (br $r1)))
            (local.set $p (i32.add (local.get $dwo) (local.get $jb)))
            (if (local.get $accumulate)
              (then (local.set $sf (f32.add (f32.load (local.get $p)) (local.get $sf)))))
            (f32.store (local.get $p) (local.get $sf))
            (local.set $jb (i32.add (local.get $jb) (i32.const 4)))
            (br $b1)))
        (local.set $ob (i32.add (local.get $ob) (i32.const 4)))
        (local.set $dwo (i32.add (local.get $dwo) (local.get $kb)))
        (br $outs)))
    ;; the bias gradient, four outputs at a time down the rows of dy
    (local.set $ob (i32.const 0))
    (block $bq_done
      (loop $bq
        (br_if $bq_done (i32.gt_u (i32.add (local.get $ob) (i32.const 16)) (local.get $mb)))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $rb (i32.const 0))
        (block $br_done
          (loop $br
            (br_if $br_done (i32.ge_u (local.get $rb) (local.get $nmb)))
            (local.set $a0 (f32x4.add (local.get $a0) (v128.load align=4 (i32.add (local.get $dy) (i32.add (local.get $rb) (local.get $ob))))))
            (local.set $rb (i32.add (local.get $rb) (local.get $mb)))
            (br $br)))
        (local.set $p (i32.add (local.get $db) (local.get $ob)))
        (if (local.get $accumulate)
          (then (local.set $a0 (f32x4.add (v128.load align=4 (local.get $p)) (local.get $a0)))))
        (v128.store align=4 (local.get $p) (local.get $a0))
        (local.set $ob (i32.add (local.get $ob) (i32.const 16)))
        (br $bq)))
    (block $bs_done
      (loop $bs
        (br_if $bs_done (i32.ge_u (local.get $ob) (local.get $mb)))
        (local.set $sf (f32.const 0))
        (local.set $rb (i32.const 0))
        (block $brs_done
          (loop $brs
            (br_if $brs_done (i32.ge_u (local.get $rb) (local.get $nmb)))
            (local.set $sf (f32.add (local.get $sf) (f32.load (i32.add (local.get $dy) (i32.add (local.get $rb) (local.get $ob))))))
            (local.set $rb (i32.add (local.get $rb) (local.get $mb)))
            (br $brs)))
        (local.set $p (i32.add (local.get $db) (local.get $ob)))
        (if (local.get $accumulate)
          (then (local.set $sf (f32.add (f32.load (local.get $p)) (local.get $sf)))))
        (f32.store (local.get $p) (local.get $sf))
        (local.set $ob (i32.add (local.get $ob) (i32.const 4)))
        (br $bs))))

  ;; SGD without momentum: p = p − lr·(g + wd·p)
  (func (export "sgd")
    (param $p i32) (param $g i32) (param $n i32) (param $lr f64) (param $wd f64)
    (local $end i32) (local $pv v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $p))))
        (v128.store64_lane align=4 0 (local.get $p) (f32x4.demote_f64x2_zero (f64x2.sub (local.get $pv) (f64x2.mul (f64x2.splat (local.get $lr))
          (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $g))) (f64x2.mul (f64x2.splat (local.get $wd)) (local.get $pv)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (br $each))))

  ;; SGD with momentum: d = f(g + wd·p); buf = fresh ? d : buf·μ + (1 − dampening)·d;
  ;; p = p − lr·(nesterov ? f(d + μ·buf) : buf), f being float32 rounding
  (func (export "sgd_momentum")
    (param $p i32) (param $g i32) (param $buf i32) (param $n i32)
    (param $lr f64) (param $wd f64) (param $momentum f64) (param $undamped f64) (param $fresh i32) (param $nesterov i32)
    (local $end i32) (local $pv v128) (local $d v128) (local $bv v128) (local $step v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $p))))
        (local.set $d (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $g))) (f64x2.mul (f64x2.splat (local.get $wd)) (local.get $pv))))))
        (local.set $bv
          (if (result v128) (local.get $fresh)
            (then (local.get $d))
            (else (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $buf))) (f64x2.splat (local.get $momentum)))
              (f64x2.mul (f64x2.splat (local.get $undamped)) (local.get $d))))))))
        (v128.store64_lane align=4 0 (local.get $buf) (f32x4.demote_f64x2_zero (local.get $bv)))
        (local.set $step
          (if (result v128) (local.get $nesterov)
            (then (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (local.get $d) (f64x2.mul (f64x2.splat (local.get $momentum)) (local.get $bv))))))
            (else (local.get $bv))))
        (v128.store64_lane align=4 0 (local.get $p) (f32x4.demote_f64x2_zero (f64x2.sub (local.get $pv) (f64x2.mul (f64x2.splat (local.get $lr)) (local.get $step)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (local.set $buf (i32.add (local.get $buf) (i32.const 8)))
        (br $each))))

  ;; Adam and AdamW. AdamW ($decoupled): p = f(p·decay), gj = g; Adam: gj = f(g + wd·p).
  ;; m = m·β1 + (1 − β1)·gj; v = v·β2 + (1 − β2)·gj·gj;
  ;; p = p − stepSize·f(m / f(f(√v / bc2Sqrt) + eps))
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $b1 f64) (param $ob1 f64) (param $b2 f64) (param $ob2 f64) (param $stepSize f64) (param $bc2Sqrt f64)
    (param $eps f64) (param $wd f64) (param $decay f64) (param $decoupled i32)
    (local $end i32) (local $pv v128) (local $gj v128) (local $mv v128) (local $vv v128) (local $denom v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $p))))
        (if (local.get $decoupled)
          (then
            (local.set $pv (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.mul (local.get $pv) (f64x2.splat (local.get $decay))))))
            (local.set $gj (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $g)))))
          (else
            (local.set $gj (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $g))) (f64x2.mul (f64x2.splat (local.get $wd)) (local.get $pv))))))))
        (local.set $mv (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $m))) (f64x2.splat (local.get $b1)))
          (f64x2.mul (f64x2.splat (local.get $ob1)) (local.get $gj))))))
        (local.set $vv (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $v))) (f64x2.splat (local.get $b2)))
          (f64x2.mul (f64x2.mul (f64x2.splat (local.get $ob2)) (local.get $gj)) (local.get $gj))))))
        (v128.store64_lane align=4 0 (local.get $m) (f32x4.demote_f64x2_zero (local.get $mv)))
        (v128.store64_lane align=4 0 (local.get $v) (f32x4.demote_f64x2_zero (local.get $vv)))
        (local.set $denom (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (f64x2.sqrt (local.get $vv)) (f64x2.splat (local.get $bc2Sqrt)))))
          (f64x2.splat (local.get $eps))))))
        (v128.store64_lane align=4 0 (local.get $p) (f32x4.demote_f64x2_zero (f64x2.sub (local.get $pv)
          (f64x2.mul (f64x2.splat (local.get $stepSize)) (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (local.get $mv) (local.get $denom))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (local.set $m (i32.add (local.get $m) (i32.const 8)))
        (local.set $v (i32.add (local.get $v) (i32.const 8)))
        (br $each))))

  ;; RMSprop: gj = f(g + wd·p); sq = sq·α + (1 − α)·gj·gj;
  ;; centered: ga = ga·α + (1 − α)·gj, avg = f(f(√f(sq − ga·ga)) + eps); else avg = f(f(√sq) + eps);
  ;; momentum: buf = buf·μ + gj / avg, p = p − lr·buf; else p = p − lr·f(gj / avg)
  (func (export "rmsprop")
    (param $p i32) (param $g i32) (param $sq i32) (param $ga i32) (param $buf i32) (param $n i32)
    (param $lr f64) (param $alpha f64) (param $oalpha f64) (param $eps f64) (param $wd f64) (param $momentum f64)
    (param $centered i32) (param $withMomentum i32)
    (local $end i32) (local $pv v128) (local $gj v128) (local $sv v128) (local $av v128) (local $avg v128) (local $bv v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $p))))
        (local.set $gj (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $g))) (f64x2.mul (f64x2.splat (local.get $wd)) (local.get $pv))))))
        (local.set $sv (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $sq))) (f64x2.splat (local.get $alpha)))
          (f64x2.mul (f64x2.mul (f64x2.splat (local.get $oalpha)) (local.get $gj)) (local.get $gj))))))
        (v128.store64_lane align=4 0 (local.get $sq) (f32x4.demote_f64x2_zero (local.get $sv)))
        (if (local.get $centered)
          (then
            (local.set $av (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $ga))) (f64x2.splat (local.get $alpha)))
              (f64x2.mul (f64x2.splat (local.get $oalpha)) (local.get $gj))))))
            (v128.store64_lane align=4 0 (local.get $ga) (f32x4.demote_f64x2_zero (local.get $av)))
            (local.set $avg (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
              (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.sqrt (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.sub (local.get $sv) (f64x2.mul (local.get $av) (local.get $av))))))))
              (f64x2.splat (local.get $eps))))))
            (local.set $ga (i32.add (local.get $ga) (i32.const 8))))
          (else
            (local.set $avg (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.sqrt (local.get $sv)))) (f64x2.splat (local.get $eps))))))))
        (if (local.get $withMomentum)
          (then
            (local.set $bv (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero align=4 (local.get $buf))) (f64x2.splat (local.get $momentum)))
              (f64x2.div (local.get $gj) (local.get $avg))))))
            (v128.store64_lane align=4 0 (local.get $buf) (f32x4.demote_f64x2_zero (local.get $bv)))
            (local.set $buf (i32.add (local.get $buf) (i32.const 8))))
          (else
            (local.set $bv (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (local.get $gj) (local.get $avg)))))))
        (v128.store64_lane align=4 0 (local.get $p) (f32x4.demote_f64x2_zero (f64x2.sub (local.get $pv) (f64x2.mul (f64x2.splat (local.get $lr)) (local.get $bv)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (local.set $sq (i32.add (local.get $sq) (i32.const 8)))
        (br $each))))
)

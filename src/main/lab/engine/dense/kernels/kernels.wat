;; The dense engine's hot loops as WebAssembly SIMD: nn.Linear's three matrix products and
;; torch.optim's updates, over float32 buffers in one imported memory (the engine's
;; Float32Arrays are views of it, so a call copies nothing; shared, so growing it keeps
;; those views valid, and its maximum matches memory.ts's MAX_PAGES). Pointers are byte offsets,
;; counts are elements; matrices are row-major, weights [out, in] as torch keeps them.
;;
;; The products are torch's BLAS order (blasOrder.ts, the JS reference) to the bit, on the
;; hardware's fused multiply-add (relaxed_madd; simd.ts runs them only where fuse() finds it
;; fused). The optimizer updates are ../updateRules.ts lane for lane, to the bit: float32 lanes
;; for every plain operation, and $fma (C's fmaf: relaxed_madd where it fuses, else exact double
;; lanes) where torch's add and addcmul fuse. Their scalars come in as float32, computed by
;; updateRules' *Scalars functions.
;;
;; The optimizer loops take four elements at a time and may run up to three past a buffer's
;; length: the allocator (memory.ts) pads every buffer with zeros to a multiple of four
;; floats, and every update keeps a zero parameter with a zero gradient and zero state at zero.
(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; dst [cols, rows] = srcᵀ, src [rows, cols]: the forward pass's weight with its outputs side by
  ;; side, so product_run loads four outputs' weights at once
  (func (export "transpose")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $sp i32)
    (local.set $sp (local.get $src))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $j) (local.get $cols)))
            (f32.store
              (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
              (f32.load (local.get $sp)))
            (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; One column of a matrix product, rows [from, to) of it, in torch's BLAS order (blasOrder.ts,
  ;; which says why): c[i] (+)= Σ_q a[q, i] · b[q] over q < depth, with a[q, i] at $a + 4i + q·$aStep
  ;; and b[q] at $b + q·$bStep (bytes). The depth in OpenBLAS's blocks, each block one chain of
  ;; fused multiply-adds, or with $split two (the even and odd q of each run of eight, the rest on
  ;; the even one, the odd chain added last); each block's sum added to c, which starts at zero, or
  ;; with $beta at what it holds (BLAS's beta 1: the forward pass's bias). relaxed_madd is the
  ;; fused multiply-add: simd.ts calls this only where fuse() found it fused. Sixteen rows a pass,
  ;; four lanes in each of four vectors whose chains run side by side; a pass with fewer rows left
  ;; points its idle vectors at its first one's and stores only its own, and its last vector may
  ;; read up to three floats past a's row (the allocator's padding at a buffer's end) and stores
  ;; only its own lanes.
  (func (export "product_run")
    (param $a i32) (param $aStep i32) (param $b i32) (param $bStep i32) (param $c i32) (param $depth i32)
    (param $from i32) (param $to i32) (param $split i32) (param $beta i32)
    (local $j i32) (local $start i32) (local $left i32) (local $end i32)
    (local $r i32) (local $t i32) (local $gp i32) (local $xp i32) (local $p i32) (local $lanes i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $v i32) (local $g v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local.set $j (local.get $from))
    (block $passes_done
      (loop $passes
        (br_if $passes_done (i32.ge_s (local.get $j) (local.get $to)))
        ;; byte offsets of vectors 1–3 from vector 0: 16, 32, 48 where their columns exist, else 0
        (local.set $o1 (select (i32.const 16) (i32.const 0) (i32.gt_s (local.get $to) (i32.add (local.get $j) (i32.const 4)))))
        (local.set $o2 (select (i32.const 32) (i32.const 0) (i32.gt_s (local.get $to) (i32.add (local.get $j) (i32.const 8)))))
        (local.set $o3 (select (i32.const 48) (i32.const 0) (i32.gt_s (local.get $to) (i32.add (local.get $j) (i32.const 12)))))
        (local.set $p (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $c0 (v128.const f32x4 0 0 0 0))
        (local.set $c1 (v128.const f32x4 0 0 0 0))
        (local.set $c2 (v128.const f32x4 0 0 0 0))
        (local.set $c3 (v128.const f32x4 0 0 0 0))
        ;; lanes past the run read what lies beyond it (padding at worst) and are never stored
        (if (local.get $beta)
          (then
            (local.set $c0 (v128.load align=4 (local.get $p)))
            (local.set $c1 (v128.load align=4 (i32.add (local.get $p) (local.get $o1))))
            (local.set $c2 (v128.load align=4 (i32.add (local.get $p) (local.get $o2))))
            (local.set $c3 (v128.load align=4 (i32.add (local.get $p) (local.get $o3))))))
        (local.set $start (i32.const 0))
        (block $blocks_done
          (loop $blocks
            (br_if $blocks_done (i32.ge_s (local.get $start) (local.get $depth)))
            ;; blasOrder.blockLength: 320, or half of what is left rounded up to 8 below 640
            (local.set $left (i32.sub (local.get $depth) (local.get $start)))
            (local.set $end (i32.add (local.get $start)
              (if (result i32) (i32.ge_s (local.get $left) (i32.const 640))
                (then (i32.const 320))
                (else (if (result i32) (i32.gt_s (local.get $left) (i32.const 320))
                  (then (i32.and (i32.add (i32.shr_u (local.get $left) (i32.const 1)) (i32.const 7)) (i32.const -8)))
                  (else (local.get $left)))))))
            (local.set $e0 (v128.const f32x4 0 0 0 0))
            (local.set $e1 (v128.const f32x4 0 0 0 0))
            (local.set $e2 (v128.const f32x4 0 0 0 0))
            (local.set $e3 (v128.const f32x4 0 0 0 0))
            (local.set $d0 (v128.const f32x4 0 0 0 0))
            (local.set $d1 (v128.const f32x4 0 0 0 0))
            (local.set $d2 (v128.const f32x4 0 0 0 0))
            (local.set $d3 (v128.const f32x4 0 0 0 0))
            (local.set $r (local.get $start))
            (local.set $gp (i32.add (local.get $b) (i32.mul (local.get $r) (local.get $bStep))))
            (local.set $xp (i32.add (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 2))) (i32.mul (local.get $r) (local.get $aStep))))
            ;; with $split, runs of eight q while eight are left: even rows on $e, odd on $d
            (if (local.get $split)
              (then
                (block $eights_done
                  (loop $eights
                    (br_if $eights_done (i32.lt_s (i32.sub (local.get $end) (local.get $r)) (i32.const 8)))
                    (local.set $t (i32.const 0))
                    (loop $pairs
                      (local.set $g (f32x4.splat (f32.load (local.get $gp))))
                      (local.set $e0 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (local.get $xp)) (local.get $e0)))
                      (local.set $e1 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o1))) (local.get $e1)))
                      (local.set $e2 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o2))) (local.get $e2)))
                      (local.set $e3 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o3))) (local.get $e3)))
                      (local.set $gp (i32.add (local.get $gp) (local.get $bStep)))
                      (local.set $xp (i32.add (local.get $xp) (local.get $aStep)))
                      (local.set $g (f32x4.splat (f32.load (local.get $gp))))
                      (local.set $d0 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (local.get $xp)) (local.get $d0)))
                      (local.set $d1 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o1))) (local.get $d1)))
                      (local.set $d2 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o2))) (local.get $d2)))
                      (local.set $d3 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o3))) (local.get $d3)))
                      (local.set $gp (i32.add (local.get $gp) (local.get $bStep)))
                      (local.set $xp (i32.add (local.get $xp) (local.get $aStep)))
                      (local.set $t (i32.add (local.get $t) (i32.const 2)))
                      (br_if $pairs (i32.lt_u (local.get $t) (i32.const 8))))
                    (local.set $r (i32.add (local.get $r) (i32.const 8)))
                    (br $eights)))))
            ;; the rest of the block (all of it without $split) in one chain
            (block $rows_done
              (loop $rows
                (br_if $rows_done (i32.ge_s (local.get $r) (local.get $end)))
                (local.set $g (f32x4.splat (f32.load (local.get $gp))))
                (local.set $e0 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (local.get $xp)) (local.get $e0)))
                (local.set $e1 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o1))) (local.get $e1)))
                (local.set $e2 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o2))) (local.get $e2)))
                (local.set $e3 (f32x4.relaxed_madd (local.get $g) (v128.load align=4 (i32.add (local.get $xp) (local.get $o3))) (local.get $e3)))
                (local.set $gp (i32.add (local.get $gp) (local.get $bStep)))
                (local.set $xp (i32.add (local.get $xp) (local.get $aStep)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $rows)))
            (if (local.get $split)
              (then
                (local.set $e0 (f32x4.add (local.get $d0) (local.get $e0)))
                (local.set $e1 (f32x4.add (local.get $d1) (local.get $e1)))
                (local.set $e2 (f32x4.add (local.get $d2) (local.get $e2)))
                (local.set $e3 (f32x4.add (local.get $d3) (local.get $e3)))))
            (local.set $c0 (f32x4.add (local.get $e0) (local.get $c0)))
            (local.set $c1 (f32x4.add (local.get $e1) (local.get $c1)))
            (local.set $c2 (f32x4.add (local.get $e2) (local.get $c2)))
            (local.set $c3 (f32x4.add (local.get $e3) (local.get $c3)))
            (local.set $start (local.get $end))
            (br $blocks)))
        ;; the pass's vectors in order, each whole or lane by lane where the run ends in it
        (local.set $v (i32.const 0))
        (block $stores_done
          (loop $stores
            (local.set $lanes (i32.sub (local.get $to) (local.get $j)))
            (br_if $stores_done (i32.le_s (local.get $lanes) (i32.const 0)))
            (br_if $stores_done (i32.ge_u (local.get $v) (i32.const 4)))
            (local.set $g (select (local.get $c0) (select (local.get $c1) (select (local.get $c2) (local.get $c3)
              (i32.eq (local.get $v) (i32.const 2))) (i32.eq (local.get $v) (i32.const 1))) (i32.eqz (local.get $v))))
            (if (i32.ge_s (local.get $lanes) (i32.const 4))
              (then (v128.store align=4 (local.get $p) (local.get $g)))
              (else
                (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $g)))
                (if (i32.gt_s (local.get $lanes) (i32.const 1)) (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $g)))))
                (if (i32.gt_s (local.get $lanes) (i32.const 2)) (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $g)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (local.set $v (i32.add (local.get $v) (i32.const 1)))
            (br $stores)))
        (br $passes))))

  ;; a·b + c over two f64 lanes holding float32 values, rounded to odd: the double nearest
  ;; the exact sum, moved to the neighbour with an odd last bit when it is inexact. Rounding
  ;; that to float32 gives a·b + c rounded once (Boldo & Melquiond: rounding to odd with
  ;; 53 ≥ 24 + 2 bits, then to nearest, is rounding to nearest). The product of two float32
  ;; is exact in a double, and TwoSum recovers the sum's rounding error exactly.
  (func $fma_odd (param $a v128) (param $b v128) (param $c v128) (result v128)
    (local $p v128) (local $s v128) (local $z v128) (local $err v128) (local $inexact v128)
    (local.set $p (f64x2.mul (local.get $a) (local.get $b)))
    (local.set $s (f64x2.add (local.get $p) (local.get $c)))
    (local.set $z (f64x2.sub (local.get $s) (local.get $p)))
    (local.set $err (f64x2.add
      (f64x2.sub (local.get $p) (f64x2.sub (local.get $s) (local.get $z)))
      (f64x2.sub (local.get $c) (local.get $z))))
    ;; err is NaN when s is infinite or NaN, which then stays as it is
    (local.set $inexact (f64x2.gt (f64x2.abs (local.get $err)) (v128.const f64x2 0 0)))
    ;; toward zero first (one step down in magnitude where the exact sum lies inside |s|),
    ;; then the last bit set: that is rounding to odd
    (v128.or
      (i64x2.add (local.get $s)
        (v128.and (local.get $inexact) (i64x2.shr_s (v128.xor (local.get $s) (local.get $err)) (i32.const 63))))
      (v128.and (local.get $inexact) (v128.const i64x2 1 1))))

  ;; 1 where relaxed_madd fuses (one vfmadd where the CPU has FMA3, as V8 emits it): set by
  ;; fuse(), which takes it only after seeing a sum that a multiply and an add round otherwise
  (global $fused (mut i32) (i32.const 0))

  ;; turns the hardware's fused multiply-add on where it fuses, and says whether it does:
  ;; (1 + 2⁻¹²)² − (1 + 2⁻¹¹) is 2⁻²⁴ exactly, and 0 once the product is rounded
  (func (export "fuse") (result i32)
    (global.set $fused (f32.eq
      (f32x4.extract_lane 0 (f32x4.relaxed_madd
        (f32x4.splat (f32.const 0x1.001p+0)) (f32x4.splat (f32.const 0x1.001p+0)) (f32x4.splat (f32.const -0x1.002p+0))))
      (f32.const 0x1p-24)))
    (global.get $fused))

  ;; C's fmaf in four float32 lanes: a·b + c rounded once
  (func $fma (param $a v128) (param $b v128) (param $c v128) (result v128)
    (if (result v128) (global.get $fused)
      (then (f32x4.relaxed_madd (local.get $a) (local.get $b) (local.get $c)))
      (else (call $fma_exact (local.get $a) (local.get $b) (local.get $c)))))

  ;; C's fmaf in four float32 lanes by the double lanes above, where $fused is off
  (func $fma_exact (param $a v128) (param $b v128) (param $c v128) (result v128)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (call $fma_odd
        (f64x2.promote_low_f32x4 (local.get $a))
        (f64x2.promote_low_f32x4 (local.get $b))
        (f64x2.promote_low_f32x4 (local.get $c))))
      (f32x4.demote_f64x2_zero (call $fma_odd
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a) (local.get $a)))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $b) (local.get $b)))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $c) (local.get $c)))))))

  ;; grad.add(param, alpha=weight_decay), which torch skips at 0
  (func $decayed (param $g v128) (param $p v128) (param $wd f32) (result v128)
    (if (result v128) (f32.eq (local.get $wd) (f32.const 0))
      (then (local.get $g))
      (else (call $fma (local.get $p) (f32x4.splat (local.get $wd)) (local.get $g)))))

  ;; SGD without momentum: p = fma(decayed(g), −lr, p)
  (func (export "sgd")
    (param $p i32) (param $g i32) (param $n i32) (param $negLr f32) (param $wd f32)
    (local $end i32) (local $pv v128) (local $negLrV v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $negLrV (f32x4.splat (local.get $negLr)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (v128.load (local.get $p)))
        (v128.store (local.get $p)
          (call $fma (call $decayed (v128.load (local.get $g)) (local.get $pv) (local.get $wd)) (local.get $negLrV) (local.get $pv)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $each))))

  ;; SGD with momentum: d = decayed(g); buf = fresh ? d : fma(d, 1 − dampening, buf·μ);
  ;; p = fma(nesterov ? fma(buf, μ, d) : buf, −lr, p)
  (func (export "sgd_momentum")
    (param $p i32) (param $g i32) (param $buf i32) (param $n i32)
    (param $negLr f32) (param $wd f32) (param $momentum f32) (param $keep f32) (param $fresh i32) (param $nesterov i32)
    (local $end i32) (local $pv v128) (local $d v128) (local $bv v128) (local $step v128)
    (local $negLrV v128) (local $momentumV v128) (local $keepV v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $negLrV (f32x4.splat (local.get $negLr)))
    (local.set $momentumV (f32x4.splat (local.get $momentum)))
    (local.set $keepV (f32x4.splat (local.get $keep)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (v128.load (local.get $p)))
        (local.set $d (call $decayed (v128.load (local.get $g)) (local.get $pv) (local.get $wd)))
        (local.set $bv
          (if (result v128) (local.get $fresh)
            (then (local.get $d))
            (else (call $fma (local.get $d) (local.get $keepV) (f32x4.mul (v128.load (local.get $buf)) (local.get $momentumV))))))
        (v128.store (local.get $buf) (local.get $bv))
        (local.set $step
          (if (result v128) (local.get $nesterov)
            (then (call $fma (local.get $bv) (local.get $momentumV) (local.get $d)))
            (else (local.get $bv))))
        (v128.store (local.get $p) (call $fma (local.get $step) (local.get $negLrV) (local.get $pv)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $buf (i32.add (local.get $buf) (i32.const 16)))
        (br $each))))

  ;; Adam and AdamW. AdamW ($decoupled): p = p·(1 − lr·wd), gj = g; Adam: gj = decayed(g).
  ;; m = fma(gj, 1 − β1, m·β1); v = fma((1 − β2)·gj, gj, v·β2); amsgrad: vmax = max(vmax, v);
  ;; p = p + (−stepSize·m) / (√(amsgrad ? vmax : v) / √bc2 + eps)
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $vmax i32) (param $n i32)
    (param $beta1 f32) (param $beta2 f32) (param $oneMinusBeta1 f32) (param $oneMinusBeta2 f32)
    (param $negStepSize f32) (param $bc2Sqrt f32) (param $eps f32) (param $wd f32) (param $decay f32)
    (param $decoupled i32) (param $amsgrad i32)
    (local $end i32) (local $pv v128) (local $gj v128) (local $mv v128) (local $vv v128)
    (local $beta1V v128) (local $beta2V v128) (local $ob1V v128) (local $ob2V v128)
    (local $negStepV v128) (local $bc2V v128) (local $epsV v128) (local $decayV v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $beta1V (f32x4.splat (local.get $beta1)))
    (local.set $beta2V (f32x4.splat (local.get $beta2)))
    (local.set $ob1V (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $ob2V (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $negStepV (f32x4.splat (local.get $negStepSize)))
    (local.set $bc2V (f32x4.splat (local.get $bc2Sqrt)))
    (local.set $epsV (f32x4.splat (local.get $eps)))
    (local.set $decayV (f32x4.splat (local.get $decay)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (v128.load (local.get $p)))
        (if (local.get $decoupled)
          (then
            (local.set $pv (f32x4.mul (local.get $pv) (local.get $decayV)))
            (local.set $gj (v128.load (local.get $g))))
          (else
            (local.set $gj (call $decayed (v128.load (local.get $g)) (local.get $pv) (local.get $wd)))))
        (local.set $mv (call $fma (local.get $gj) (local.get $ob1V) (f32x4.mul (v128.load (local.get $m)) (local.get $beta1V))))
        (v128.store (local.get $m) (local.get $mv))
        (local.set $vv (call $fma (f32x4.mul (local.get $ob2V) (local.get $gj)) (local.get $gj) (f32x4.mul (v128.load (local.get $v)) (local.get $beta2V))))
        (v128.store (local.get $v) (local.get $vv))
        (if (local.get $amsgrad)
          (then
            (local.set $vv (f32x4.max (v128.load (local.get $vmax)) (local.get $vv)))
            (v128.store (local.get $vmax) (local.get $vv))
            (local.set $vmax (i32.add (local.get $vmax) (i32.const 16)))))
        (v128.store (local.get $p) (f32x4.add (local.get $pv)
          (f32x4.div
            (f32x4.mul (local.get $negStepV) (local.get $mv))
            (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (local.get $bc2V)) (local.get $epsV)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $each))))

  ;; RMSprop: gj = decayed(g); sq = fma((1 − α)·gj, gj, sq·α);
  ;; centered: ga = fma(gj, 1 − α, ga·α), avg = √fma(−ga, ga, sq) + eps; else avg = √sq + eps;
  ;; momentum: buf = buf·μ + gj / avg, p = fma(buf, −lr, p); else p = p + (−lr·gj) / avg
  (func (export "rmsprop")
    (param $p i32) (param $g i32) (param $sq i32) (param $ga i32) (param $buf i32) (param $n i32)
    (param $alpha f32) (param $oneMinusAlpha f32) (param $eps f32) (param $negLr f32) (param $momentum f32) (param $wd f32)
    (param $centered i32) (param $withMomentum i32)
    (local $end i32) (local $pv v128) (local $gj v128) (local $sv v128) (local $av v128) (local $centred v128) (local $avg v128) (local $bv v128)
    (local $alphaV v128) (local $oaV v128) (local $epsV v128) (local $negLrV v128) (local $momentumV v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $alphaV (f32x4.splat (local.get $alpha)))
    (local.set $oaV (f32x4.splat (local.get $oneMinusAlpha)))
    (local.set $epsV (f32x4.splat (local.get $eps)))
    (local.set $negLrV (f32x4.splat (local.get $negLr)))
    (local.set $momentumV (f32x4.splat (local.get $momentum)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (v128.load (local.get $p)))
        (local.set $gj (call $decayed (v128.load (local.get $g)) (local.get $pv) (local.get $wd)))
        (local.set $sv (call $fma (f32x4.mul (local.get $oaV) (local.get $gj)) (local.get $gj) (f32x4.mul (v128.load (local.get $sq)) (local.get $alphaV))))
        (v128.store (local.get $sq) (local.get $sv))
        (local.set $centred (local.get $sv))
        (if (local.get $centered)
          (then
            (local.set $av (call $fma (local.get $gj) (local.get $oaV) (f32x4.mul (v128.load (local.get $ga)) (local.get $alphaV))))
            (v128.store (local.get $ga) (local.get $av))
            (local.set $centred (call $fma (f32x4.neg (local.get $av)) (local.get $av) (local.get $sv)))
            (local.set $ga (i32.add (local.get $ga) (i32.const 16)))))
        (local.set $avg (f32x4.add (f32x4.sqrt (local.get $centred)) (local.get $epsV)))
        (if (local.get $withMomentum)
          (then
            (local.set $bv (f32x4.add (f32x4.mul (v128.load (local.get $buf)) (local.get $momentumV)) (f32x4.div (local.get $gj) (local.get $avg))))
            (v128.store (local.get $buf) (local.get $bv))
            (v128.store (local.get $p) (call $fma (local.get $bv) (local.get $negLrV) (local.get $pv)))
            (local.set $buf (i32.add (local.get $buf) (i32.const 16))))
          (else
            (v128.store (local.get $p) (f32x4.add (local.get $pv) (f32x4.div (f32x4.mul (local.get $negLrV) (local.get $gj)) (local.get $avg))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $sq (i32.add (local.get $sq) (i32.const 16)))
        (br $each))))
)

;; The CRC-32 of zip records (zlib.crc32's, bit for bit) by Chorba's method (Sam Russell, 2024,
;; arXiv:2412.16398), with XORs only: the CRC polynomial divides a polynomial of five terms whose
;; gaps are whole 32-bit words, so XORing a word's value into the words 14, 22, 44 and 29,740
;; further on adds a multiple of it and leaves the CRC unchanged. Sweeping every word but the
;; last 29,740 this way clears them; crc32.ts checksums what is left with zlib.
;;
;; push(src, k, end) sweeps the words k .. end-1 (k and end multiples of 44), the data of word k
;; at byte address src. Each word's swept value r[k] = word ^ r[k-14] ^ r[k-22] ^ r[k-44] ^ r[k-29740]
;; is kept in a ring of 32,768 words at address 0 (k mod 32768), zeroed by the caller before a
;; message's first word: the far term comes from there. The near terms stay in eleven vector
;; locals, four words each (r[k-4] .. r[k-44]), so no value is read back from a store still in
;; flight; the loop does eleven vectors a turn, each step naming the locals one further round,
;; so nothing is moved between them. A turn whose ring words do not wrap (all but about one in
;; 700) addresses them from two pointers with constant offsets; the others wrap each address.
;;
;; fold(dst, from, count) XORs the swept words from, from+1, ... (ring positions, from a multiple
;; of four) into the words the sweep leaves, at dst: their far terms. It may run up to three
;; words past count (crc32.ts leaves room).
(module
  (import "env" "memory" (memory 1))

  (func (export "push") (param $src i32) (param $k i32) (param $end i32)
    (local $ring i32) (local $far i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128) (local $r5 v128) (local $r6 v128) (local $r7 v128) (local $r8 v128) (local $r9 v128) (local $r10 v128)
    ;; the near terms before word k, from the ring (none before the message's first word)
    (if (i32.ge_u (local.get $k) (i32.const 4)) (then (local.set $r10 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 4)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 8)) (then (local.set $r9 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 8)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 12)) (then (local.set $r8 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 12)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 16)) (then (local.set $r7 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 16)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 20)) (then (local.set $r6 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 20)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 24)) (then (local.set $r5 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 24)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 28)) (then (local.set $r4 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 28)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 32)) (then (local.set $r3 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 32)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 36)) (then (local.set $r2 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 36)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 40)) (then (local.set $r1 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 40)) (i32.const 32767)) (i32.const 2))))))
    (if (i32.ge_u (local.get $k) (i32.const 44)) (then (local.set $r0 (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 44)) (i32.const 32767)) (i32.const 2))))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $ring (i32.shl (i32.and (local.get $k) (i32.const 32767)) (i32.const 2)))
        (local.set $far (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29740)) (i32.const 32767)) (i32.const 2)))
        (if (i32.and
              (i32.le_u (local.get $ring) (i32.const 130896))
              (i32.le_u (local.get $far) (i32.const 130896)))
          (then
            (local.set $r0
              (v128.xor
                (v128.xor (v128.load offset=0 (local.get $src)) (v128.load offset=0 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r7) (local.get $r8))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r5) (local.get $r6)))
              (local.get $r0))))
            (v128.store offset=0 (local.get $ring) (local.get $r0))
            (local.set $r1
              (v128.xor
                (v128.xor (v128.load offset=16 (local.get $src)) (v128.load offset=16 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r8) (local.get $r9))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r6) (local.get $r7)))
              (local.get $r1))))
            (v128.store offset=16 (local.get $ring) (local.get $r1))
            (local.set $r2
              (v128.xor
                (v128.xor (v128.load offset=32 (local.get $src)) (v128.load offset=32 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r9) (local.get $r10))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r7) (local.get $r8)))
              (local.get $r2))))
            (v128.store offset=32 (local.get $ring) (local.get $r2))
            (local.set $r3
              (v128.xor
                (v128.xor (v128.load offset=48 (local.get $src)) (v128.load offset=48 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r10) (local.get $r0))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r8) (local.get $r9)))
              (local.get $r3))))
            (v128.store offset=48 (local.get $ring) (local.get $r3))
            (local.set $r4
              (v128.xor
                (v128.xor (v128.load offset=64 (local.get $src)) (v128.load offset=64 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r9) (local.get $r10)))
              (local.get $r4))))
            (v128.store offset=64 (local.get $ring) (local.get $r4))
            (local.set $r5
              (v128.xor
                (v128.xor (v128.load offset=80 (local.get $src)) (v128.load offset=80 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r1) (local.get $r2))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r10) (local.get $r0)))
              (local.get $r5))))
            (v128.store offset=80 (local.get $ring) (local.get $r5))
            (local.set $r6
              (v128.xor
                (v128.xor (v128.load offset=96 (local.get $src)) (v128.load offset=96 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r2) (local.get $r3))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.get $r6))))
            (v128.store offset=96 (local.get $ring) (local.get $r6))
            (local.set $r7
              (v128.xor
                (v128.xor (v128.load offset=112 (local.get $src)) (v128.load offset=112 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r3) (local.get $r4))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r1) (local.get $r2)))
              (local.get $r7))))
            (v128.store offset=112 (local.get $ring) (local.get $r7))
            (local.set $r8
              (v128.xor
                (v128.xor (v128.load offset=128 (local.get $src)) (v128.load offset=128 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r4) (local.get $r5))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r2) (local.get $r3)))
              (local.get $r8))))
            (v128.store offset=128 (local.get $ring) (local.get $r8))
            (local.set $r9
              (v128.xor
                (v128.xor (v128.load offset=144 (local.get $src)) (v128.load offset=144 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r5) (local.get $r6))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r3) (local.get $r4)))
              (local.get $r9))))
            (v128.store offset=144 (local.get $ring) (local.get $r9))
            (local.set $r10
              (v128.xor
                (v128.xor (v128.load offset=160 (local.get $src)) (v128.load offset=160 (local.get $far)))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r6) (local.get $r7))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r4) (local.get $r5)))
              (local.get $r10))))
            (v128.store offset=160 (local.get $ring) (local.get $r10)))
          (else
            (local.set $r0
              (v128.xor
                (v128.xor
                  (v128.load offset=0 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29740)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r7) (local.get $r8))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r5) (local.get $r6)))
              (local.get $r0))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 0)) (i32.const 32767)) (i32.const 2)) (local.get $r0))
            (local.set $r1
              (v128.xor
                (v128.xor
                  (v128.load offset=16 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29736)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r8) (local.get $r9))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r6) (local.get $r7)))
              (local.get $r1))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 4)) (i32.const 32767)) (i32.const 2)) (local.get $r1))
            (local.set $r2
              (v128.xor
                (v128.xor
                  (v128.load offset=32 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29732)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r9) (local.get $r10))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r7) (local.get $r8)))
              (local.get $r2))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 8)) (i32.const 32767)) (i32.const 2)) (local.get $r2))
            (local.set $r3
              (v128.xor
                (v128.xor
                  (v128.load offset=48 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29728)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r10) (local.get $r0))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r8) (local.get $r9)))
              (local.get $r3))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 12)) (i32.const 32767)) (i32.const 2)) (local.get $r3))
            (local.set $r4
              (v128.xor
                (v128.xor
                  (v128.load offset=64 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29724)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r1))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r9) (local.get $r10)))
              (local.get $r4))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 16)) (i32.const 32767)) (i32.const 2)) (local.get $r4))
            (local.set $r5
              (v128.xor
                (v128.xor
                  (v128.load offset=80 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29720)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r1) (local.get $r2))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r10) (local.get $r0)))
              (local.get $r5))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 20)) (i32.const 32767)) (i32.const 2)) (local.get $r5))
            (local.set $r6
              (v128.xor
                (v128.xor
                  (v128.load offset=96 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29716)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r2) (local.get $r3))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.get $r6))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 24)) (i32.const 32767)) (i32.const 2)) (local.get $r6))
            (local.set $r7
              (v128.xor
                (v128.xor
                  (v128.load offset=112 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29712)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r3) (local.get $r4))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r1) (local.get $r2)))
              (local.get $r7))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 28)) (i32.const 32767)) (i32.const 2)) (local.get $r7))
            (local.set $r8
              (v128.xor
                (v128.xor
                  (v128.load offset=128 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29708)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r4) (local.get $r5))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r2) (local.get $r3)))
              (local.get $r8))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 32)) (i32.const 32767)) (i32.const 2)) (local.get $r8))
            (local.set $r9
              (v128.xor
                (v128.xor
                  (v128.load offset=144 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29704)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r5) (local.get $r6))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r3) (local.get $r4)))
              (local.get $r9))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 36)) (i32.const 32767)) (i32.const 2)) (local.get $r9))
            (local.set $r10
              (v128.xor
                (v128.xor
                  (v128.load offset=160 (local.get $src))
                  (v128.load (i32.shl (i32.and (i32.sub (local.get $k) (i32.const 29700)) (i32.const 32767)) (i32.const 2))))
                (v128.xor
              (v128.xor
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r6) (local.get $r7))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $r4) (local.get $r5)))
              (local.get $r10))))
            (v128.store (i32.shl (i32.and (i32.add (local.get $k) (i32.const 40)) (i32.const 32767)) (i32.const 2)) (local.get $r10))))
        (local.set $src (i32.add (local.get $src) (i32.const 176)))
        (local.set $k (i32.add (local.get $k) (i32.const 44)))
        (br $next))))

  (func (export "fold") (param $dst i32) (param $from i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst)
          (v128.xor
            (v128.load (local.get $dst))
            (v128.load (i32.shl (i32.and (local.get $from) (i32.const 32767)) (i32.const 2)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $from (i32.add (local.get $from) (i32.const 4)))
        (br $next))))
)

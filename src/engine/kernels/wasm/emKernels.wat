;; The GMM EM's two heaviest passes over a chunk of rows, with
;; 128-bit SIMD, each equal bit for bit to its JavaScript in gmmKernels.ts.
;;
;; logProb: the E-step's log-probabilities for full and tied covariances, with
;; 128-bit SIMD: each f64x2 holds the same quantity for two rows, so every
;; row goes through exactly the operations of triangularLogProb in
;; gmmKernels.ts, in the same order (a product rounded, then a sum rounded;
;; WebAssembly never fuses or reorders them), and the results are equal bit
;; for bit. Compiled by `npm run build:wasm` into emKernelsWasm.ts.
;;
;; For each row x (d numbers) and component c:
;;   out[row·k + c] = bias[c] − ½ Σ_a (−m[c,a] + Σ_{b≤a} F[c,a,b]·x[b])²
;; with F the lower-triangular precision factor L⁻¹ (row-major d×d) and m the
;; projected mean L⁻¹μ.
;;
;; Rows go eight at a time: they are first copied, transposed, into the
;; scratch S (S[b·8 + r] = x of row r at column b), so one v128 load takes
;; column b of two rows. Rows past the end read zeros and their outputs land
;; in the padding of `out` (the caller sizes it for a multiple of 8 rows).
;; Components go two at a time (eight vector sums), the last alone when k is odd.
;; Addresses are byte offsets into the memory; all in f64.
(module
  (memory (export "memory") 1)

  (func (export "logProb")
    (param $rows i32) (param $d i32) (param $k i32)
    ;; Bytes from one component's factor to the next: d·d·8 (full), 0 (tied).
    (param $fStride i32)
    ;; Where F, m, bias, x (rows × d), the scratch (8·d) and out (rows rounded up to 8, × k) are.
    (param $F i32) (param $P i32) (param $B i32) (param $X i32) (param $S i32) (param $O i32)
    (local $i0 i32) (local $r i32) (local $row i32) (local $src i32) (local $dst i32) (local $dst_end i32)
    (local $c i32) (local $a i32) (local $fa0 i32) (local $fa1 i32) (local $fb0 i32) (local $fb1 i32)
    (local $sb i32) (local $fend i32) (local $out i32) (local $rowBytes i32) (local $dBytes i32)
    (local $g0 v128) (local $g1 v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local $q00 v128) (local $q01 v128) (local $q02 v128) (local $q03 v128)
    (local $q10 v128) (local $q11 v128) (local $q12 v128) (local $q13 v128)
    (local $half v128) (local $bias v128)

    (local.set $half (f64x2.splat (f64.const 0.5)))
    (local.set $dBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 3)))

    (local.set $i0 (i32.const 0))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $i0) (local.get $rows)))

        ;; Transpose rows i0 … i0+7 into S (zeros past the last row).
        (local.set $r (i32.const 0))
        (loop $transpose
          (local.set $row (i32.add (local.get $i0) (local.get $r)))
          (local.set $dst (i32.add (local.get $S) (i32.shl (local.get $r) (i32.const 3))))
          (local.set $dst_end (i32.add (local.get $dst) (i32.shl (local.get $d) (i32.const 6))))
          (if (i32.lt_u (local.get $row) (local.get $rows))
            (then
              (local.set $src (i32.add (local.get $X) (i32.mul (local.get $row) (local.get $dBytes))))
              (loop $copy
                (f64.store (local.get $dst) (f64.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (i32.const 8)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (br_if $copy (i32.lt_u (local.get $dst) (local.get $dst_end)))))
            (else
              (loop $zero
                (f64.store (local.get $dst) (f64.const 0))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (br_if $zero (i32.lt_u (local.get $dst) (local.get $dst_end))))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $transpose (i32.lt_u (local.get $r) (i32.const 8))))

        ;; Components two at a time.
        (local.set $c (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $c) (i32.const 2)) (local.get $k)))
            (local.set $q00 (v128.const f64x2 0 0)) (local.set $q01 (v128.const f64x2 0 0))
            (local.set $q02 (v128.const f64x2 0 0)) (local.set $q03 (v128.const f64x2 0 0))
            (local.set $q10 (v128.const f64x2 0 0)) (local.set $q11 (v128.const f64x2 0 0))
            (local.set $q12 (v128.const f64x2 0 0)) (local.set $q13 (v128.const f64x2 0 0))
            (local.set $fa0 (i32.add (local.get $F) (i32.mul (local.get $c) (local.get $fStride))))
            (local.set $fa1 (i32.add (local.get $fa0) (local.get $fStride)))
            (local.set $a (i32.const 0))
            (loop $a_loop
              ;; s = −m[c,a] for each row.
              (local.set $s00 (f64x2.splat (f64.neg (f64.load
                (i32.add (local.get $P) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $d)) (local.get $a)) (i32.const 3)))))))
              (local.set $s10 (f64x2.splat (f64.neg (f64.load
                (i32.add (local.get $P) (i32.shl (i32.add (i32.mul (i32.add (local.get $c) (i32.const 1)) (local.get $d)) (local.get $a)) (i32.const 3)))))))
              (local.set $s01 (local.get $s00)) (local.set $s02 (local.get $s00)) (local.set $s03 (local.get $s00))
              (local.set $s11 (local.get $s10)) (local.set $s12 (local.get $s10)) (local.set $s13 (local.get $s10))
              ;; b = 0 … a
              (local.set $fb0 (local.get $fa0))
              (local.set $fb1 (local.get $fa1))
              (local.set $sb (local.get $S))
              (local.set $fend (i32.add (local.get $fa0) (i32.shl (i32.add (local.get $a) (i32.const 1)) (i32.const 3))))
              (loop $b_loop
                (local.set $g0 (f64x2.splat (f64.load (local.get $fb0))))
                (local.set $g1 (f64x2.splat (f64.load (local.get $fb1))))
                (local.set $v0 (v128.load offset=0 (local.get $sb)))
                (local.set $v1 (v128.load offset=16 (local.get $sb)))
                (local.set $v2 (v128.load offset=32 (local.get $sb)))
                (local.set $v3 (v128.load offset=48 (local.get $sb)))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $g0) (local.get $v0))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $g0) (local.get $v1))))
                (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $g0) (local.get $v2))))
                (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $g0) (local.get $v3))))
                (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $g1) (local.get $v0))))
                (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $g1) (local.get $v1))))
                (local.set $s12 (f64x2.add (local.get $s12) (f64x2.mul (local.get $g1) (local.get $v2))))
                (local.set $s13 (f64x2.add (local.get $s13) (f64x2.mul (local.get $g1) (local.get $v3))))
                (local.set $fb0 (i32.add (local.get $fb0) (i32.const 8)))
                (local.set $fb1 (i32.add (local.get $fb1) (i32.const 8)))
                (local.set $sb (i32.add (local.get $sb) (i32.const 64)))
                (br_if $b_loop (i32.lt_u (local.get $fb0) (local.get $fend))))
              (local.set $q00 (f64x2.add (local.get $q00) (f64x2.mul (local.get $s00) (local.get $s00))))
              (local.set $q01 (f64x2.add (local.get $q01) (f64x2.mul (local.get $s01) (local.get $s01))))
              (local.set $q02 (f64x2.add (local.get $q02) (f64x2.mul (local.get $s02) (local.get $s02))))
              (local.set $q03 (f64x2.add (local.get $q03) (f64x2.mul (local.get $s03) (local.get $s03))))
              (local.set $q10 (f64x2.add (local.get $q10) (f64x2.mul (local.get $s10) (local.get $s10))))
              (local.set $q11 (f64x2.add (local.get $q11) (f64x2.mul (local.get $s11) (local.get $s11))))
              (local.set $q12 (f64x2.add (local.get $q12) (f64x2.mul (local.get $s12) (local.get $s12))))
              (local.set $q13 (f64x2.add (local.get $q13) (f64x2.mul (local.get $s13) (local.get $s13))))
              (local.set $fa0 (i32.add (local.get $fa0) (local.get $dBytes)))
              (local.set $fa1 (i32.add (local.get $fa1) (local.get $dBytes)))
              (local.set $a (i32.add (local.get $a) (i32.const 1)))
              (br_if $a_loop (i32.lt_u (local.get $a) (local.get $d))))
            ;; out = bias − ½q, component c then c+1, rows i0 … i0+7.
            (local.set $out (i32.add (i32.add (local.get $O) (i32.mul (local.get $i0) (local.get $rowBytes))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $bias (f64x2.splat (f64.load (i32.add (local.get $B) (i32.shl (local.get $c) (i32.const 3))))))
            (call $store8 (local.get $out) (local.get $rowBytes) (local.get $bias) (local.get $half)
              (local.get $q00) (local.get $q01) (local.get $q02) (local.get $q03))
            (local.set $bias (f64x2.splat (f64.load offset=8 (i32.add (local.get $B) (i32.shl (local.get $c) (i32.const 3))))))
            (call $store8 (i32.add (local.get $out) (i32.const 8)) (local.get $rowBytes) (local.get $bias) (local.get $half)
              (local.get $q10) (local.get $q11) (local.get $q12) (local.get $q13))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $pairs)))

        ;; The last component alone when k is odd.
        (if (i32.lt_u (local.get $c) (local.get $k))
          (then
            (local.set $q00 (v128.const f64x2 0 0)) (local.set $q01 (v128.const f64x2 0 0))
            (local.set $q02 (v128.const f64x2 0 0)) (local.set $q03 (v128.const f64x2 0 0))
            (local.set $fa0 (i32.add (local.get $F) (i32.mul (local.get $c) (local.get $fStride))))
            (local.set $a (i32.const 0))
            (loop $a_single
              (local.set $s00 (f64x2.splat (f64.neg (f64.load
                (i32.add (local.get $P) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $d)) (local.get $a)) (i32.const 3)))))))
              (local.set $s01 (local.get $s00)) (local.set $s02 (local.get $s00)) (local.set $s03 (local.get $s00))
              (local.set $fb0 (local.get $fa0))
              (local.set $sb (local.get $S))
              (local.set $fend (i32.add (local.get $fa0) (i32.shl (i32.add (local.get $a) (i32.const 1)) (i32.const 3))))
              (loop $b_single
                (local.set $g0 (f64x2.splat (f64.load (local.get $fb0))))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $g0) (v128.load offset=0 (local.get $sb)))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $g0) (v128.load offset=16 (local.get $sb)))))
                (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $g0) (v128.load offset=32 (local.get $sb)))))
                (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $g0) (v128.load offset=48 (local.get $sb)))))
                (local.set $fb0 (i32.add (local.get $fb0) (i32.const 8)))
                (local.set $sb (i32.add (local.get $sb) (i32.const 64)))
                (br_if $b_single (i32.lt_u (local.get $fb0) (local.get $fend))))
              (local.set $q00 (f64x2.add (local.get $q00) (f64x2.mul (local.get $s00) (local.get $s00))))
              (local.set $q01 (f64x2.add (local.get $q01) (f64x2.mul (local.get $s01) (local.get $s01))))
              (local.set $q02 (f64x2.add (local.get $q02) (f64x2.mul (local.get $s02) (local.get $s02))))
              (local.set $q03 (f64x2.add (local.get $q03) (f64x2.mul (local.get $s03) (local.get $s03))))
              (local.set $fa0 (i32.add (local.get $fa0) (local.get $dBytes)))
              (local.set $a (i32.add (local.get $a) (i32.const 1)))
              (br_if $a_single (i32.lt_u (local.get $a) (local.get $d))))
            (local.set $out (i32.add (i32.add (local.get $O) (i32.mul (local.get $i0) (local.get $rowBytes))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $bias (f64x2.splat (f64.load (i32.add (local.get $B) (i32.shl (local.get $c) (i32.const 3))))))
            (call $store8 (local.get $out) (local.get $rowBytes) (local.get $bias) (local.get $half)
              (local.get $q00) (local.get $q01) (local.get $q02) (local.get $q03))))

        (local.set $i0 (i32.add (local.get $i0) (i32.const 8)))
        (br $rows_loop))))

  ;; bias − ½q of eight rows (two per vector) into one column of out, a row every rowBytes.
  (func $store8 (param $out i32) (param $rowBytes i32) (param $bias v128) (param $half v128)
    (param $q0 v128) (param $q1 v128) (param $q2 v128) (param $q3 v128)
    (local $o v128)
    (local.set $o (f64x2.sub (local.get $bias) (f64x2.mul (local.get $half) (local.get $q0))))
    (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $o)))
    (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
    (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $o)))
    (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
    (local.set $o (f64x2.sub (local.get $bias) (f64x2.mul (local.get $half) (local.get $q1))))
    (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $o)))
    (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
    (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $o)))
    (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
    (local.set $o (f64x2.sub (local.get $bias) (f64x2.mul (local.get $half) (local.get $q2))))
    (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $o)))
    (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
    (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $o)))
    (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
    (local.set $o (f64x2.sub (local.get $bias) (f64x2.mul (local.get $half) (local.get $q3))))
    (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $o)))
    (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
    (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $o))))

  ;; The full covariance pass of one chunk (fullCovarianceSums in gmmKernels.ts):
  ;; for each component c, the packed lower triangle of Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ
  ;; over the rows whose r_ic is above skip_c, four rows at a time, into
  ;; out[c·d(d+1)/2 …]. Each entry adds the same products in the same order
  ;; as the JavaScript (two entries per f64x2), so the sums are equal bit for bit.
  (func (export "covarianceSums")
    (param $rows i32) (param $d i32) (param $k i32)
    ;; x (rows × d), resp (rows × k), means (k × d), skip (k), out (k × d(d+1)/2), diff (4 × d), weight (4).
    (param $X i32) (param $R i32) (param $M i32) (param $SK i32) (param $O i32) (param $D i32) (param $W i32)
    (local $tri i32) (local $c i32) (local $i i32) (local $a i32) (local $m i32)
    (local $block i32) (local $r f64) (local $skip f64) (local $src i32) (local $dst i32) (local $mean i32) (local $end i32)
    (local.set $tri (i32.shr_u (i32.mul (local.get $d) (i32.add (local.get $d) (i32.const 1))) (i32.const 1)))
    ;; out = 0
    (local.set $dst (local.get $O))
    (local.set $end (i32.add (local.get $O) (i32.shl (i32.mul (local.get $k) (local.get $tri)) (i32.const 3))))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $dst) (local.get $end)))
        (f64.store (local.get $dst) (f64.const 0))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (br $zero)))
    (local.set $c (i32.const 0))
    (block $components_done
      (loop $components
        (br_if $components_done (i32.ge_u (local.get $c) (local.get $k)))
        (local.set $block (i32.add (local.get $O) (i32.shl (i32.mul (local.get $c) (local.get $tri)) (i32.const 3))))
        (local.set $skip (f64.load (i32.add (local.get $SK) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $mean (i32.add (local.get $M) (i32.shl (i32.mul (local.get $c) (local.get $d)) (i32.const 3))))
        (local.set $m (i32.const 0))
        (local.set $i (i32.const 0))
        (block $rows_done
          (loop $rows_loop
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $r (f64.load (i32.add (local.get $R)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $c)) (i32.const 3)))))
            ;; Not (r ≤ skip), as the JavaScript tests it (a NaN is kept).
            (if (i32.eqz (f64.le (local.get $r) (local.get $skip)))
              (then
                ;; diff[m] = x_i − μ_c
                (local.set $src (i32.add (local.get $X) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
                (local.set $dst (i32.add (local.get $D) (i32.shl (i32.mul (local.get $m) (local.get $d)) (i32.const 3))))
                (local.set $a (i32.const 0))
                (loop $diff
                  (f64.store
                    (i32.add (local.get $dst) (i32.shl (local.get $a) (i32.const 3)))
                    (f64.sub
                      (f64.load (i32.add (local.get $src) (i32.shl (local.get $a) (i32.const 3))))
                      (f64.load (i32.add (local.get $mean) (i32.shl (local.get $a) (i32.const 3))))))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br_if $diff (i32.lt_u (local.get $a) (local.get $d))))
                (f64.store (i32.add (local.get $W) (i32.shl (local.get $m) (i32.const 3))) (local.get $r))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (if (i32.eq (local.get $m) (i32.const 4))
                  (then
                    (call $rankFour (local.get $D) (local.get $W) (local.get $d) (local.get $block))
                    (local.set $m (i32.const 0))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows_loop)))
        ;; The last rows, the missing ones with weight 0 and difference 0 (as the JavaScript pads them).
        (if (i32.gt_u (local.get $m) (i32.const 0))
          (then
            (local.set $dst (i32.add (local.get $W) (i32.shl (local.get $m) (i32.const 3))))
            (local.set $end (i32.add (local.get $W) (i32.const 32)))
            (loop $pad_w
              (f64.store (local.get $dst) (f64.const 0))
              (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
              (br_if $pad_w (i32.lt_u (local.get $dst) (local.get $end))))
            (local.set $dst (i32.add (local.get $D) (i32.shl (i32.mul (local.get $m) (local.get $d)) (i32.const 3))))
            (local.set $end (i32.add (local.get $D) (i32.shl (i32.mul (i32.const 4) (local.get $d)) (i32.const 3))))
            (loop $pad_d
              (f64.store (local.get $dst) (f64.const 0))
              (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
              (br_if $pad_d (i32.lt_u (local.get $dst) (local.get $end))))
            (call $rankFour (local.get $D) (local.get $W) (local.get $d) (local.get $block))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $components))))

  ;; cov[a(a+1)/2 + b] += (w0·diff0[a]·diff0[b] + w1·diff1[a]·diff1[b]) + (w2·… + w3·…), b ≤ a,
  ;; as rankFourUpdate in gmmKernels.ts: w_t·diff_t[a] first, then times diff_t[b].
  (func $rankFour (param $D i32) (param $W i32) (param $d i32) (param $block i32)
    (local $a i32) (local $b i32) (local $row i32) (local $dBytes i32)
    (local $w0 f64) (local $w1 f64) (local $w2 f64) (local $w3 f64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32) (local $at i32)
    (local.set $dBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $a (i32.const 0))
    (loop $a_loop
      (local.set $d0 (local.get $D))
      (local.set $d1 (i32.add (local.get $d0) (local.get $dBytes)))
      (local.set $d2 (i32.add (local.get $d1) (local.get $dBytes)))
      (local.set $d3 (i32.add (local.get $d2) (local.get $dBytes)))
      (local.set $at (i32.shl (local.get $a) (i32.const 3)))
      (local.set $w0 (f64.mul (f64.load offset=0 (local.get $W)) (f64.load (i32.add (local.get $d0) (local.get $at)))))
      (local.set $w1 (f64.mul (f64.load offset=8 (local.get $W)) (f64.load (i32.add (local.get $d1) (local.get $at)))))
      (local.set $w2 (f64.mul (f64.load offset=16 (local.get $W)) (f64.load (i32.add (local.get $d2) (local.get $at)))))
      (local.set $w3 (f64.mul (f64.load offset=24 (local.get $W)) (f64.load (i32.add (local.get $d3) (local.get $at)))))
      (local.set $v0 (f64x2.splat (local.get $w0)))
      (local.set $v1 (f64x2.splat (local.get $w1)))
      (local.set $v2 (f64x2.splat (local.get $w2)))
      (local.set $v3 (f64x2.splat (local.get $w3)))
      (local.set $row (i32.add (local.get $block)
        (i32.shl (i32.shr_u (i32.mul (local.get $a) (i32.add (local.get $a) (i32.const 1))) (i32.const 1)) (i32.const 3))))
      ;; b = 0 … a: two at a time while both are ≤ a, then the last alone.
      (local.set $b (i32.const 0))
      (block $pairs_done
        (loop $pairs
          (br_if $pairs_done (i32.gt_u (i32.add (local.get $b) (i32.const 1)) (local.get $a)))
          (local.set $at (i32.shl (local.get $b) (i32.const 3)))
          (v128.store (i32.add (local.get $row) (local.get $at))
            (f64x2.add
              (v128.load (i32.add (local.get $row) (local.get $at)))
              (f64x2.add
                (f64x2.add
                  (f64x2.mul (local.get $v0) (v128.load (i32.add (local.get $d0) (local.get $at))))
                  (f64x2.mul (local.get $v1) (v128.load (i32.add (local.get $d1) (local.get $at)))))
                (f64x2.add
                  (f64x2.mul (local.get $v2) (v128.load (i32.add (local.get $d2) (local.get $at))))
                  (f64x2.mul (local.get $v3) (v128.load (i32.add (local.get $d3) (local.get $at))))))))
          (local.set $b (i32.add (local.get $b) (i32.const 2)))
          (br $pairs)))
      (if (i32.le_u (local.get $b) (local.get $a))
        (then
          (local.set $at (i32.shl (local.get $b) (i32.const 3)))
          (f64.store (i32.add (local.get $row) (local.get $at))
            (f64.add
              (f64.load (i32.add (local.get $row) (local.get $at)))
              (f64.add
                (f64.add
                  (f64.mul (local.get $w0) (f64.load (i32.add (local.get $d0) (local.get $at))))
                  (f64.mul (local.get $w1) (f64.load (i32.add (local.get $d1) (local.get $at)))))
                (f64.add
                  (f64.mul (local.get $w2) (f64.load (i32.add (local.get $d2) (local.get $at))))
                  (f64.mul (local.get $w3) (f64.load (i32.add (local.get $d3) (local.get $at))))))))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br_if $a_loop (i32.lt_u (local.get $a) (local.get $d)))))
)

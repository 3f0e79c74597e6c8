;; The WebAssembly half of GridActors' Collatz example. examples/collatz-wasm.js carries this
;; module, compiled, as a byte array (a job cannot read files), and examples/collatz.js does the
;; same work in plain JavaScript, so the grid can time one against the other.
;; After editing this file, run examples/wasm/build.sh to rewrite those bytes
;; (examples/wasm/build.sh --check tells whether they are stale).
;;
;; longest(lo, hi) visits every start n with lo <= n <= hi (lo >= 1), counts the steps its chain
;; takes to reach 1 (an even value is halved, an odd one becomes 3n+1), and returns the start with
;; the most steps; on a tie the smallest start wins. That start's step count is left in the
;; exported global `steps`. Values are i64: chains climb past 2^32 well before the starts reach
;; two million. JavaScript passes and gets back the i64 values as BigInts.
(module
  (global $steps (export "steps") (mut i32) (i32.const 0))

  (func (export "longest") (param $lo i64) (param $hi i64) (result i64)
    (local $n i64)          ;; the start being tried
    (local $m i64)          ;; where its chain has got to
    (local $count i32)      ;; steps taken along this chain
    (local $best i64)       ;; the best start so far ...
    (local $bestSteps i32)  ;; ... and its steps (-1 before any, so a chain of 0 steps counts)
    (local.set $best (local.get $lo))
    (local.set $bestSteps (i32.const -1))
    (local.set $n (local.get $lo))
    (block $allDone
      (loop $nextStart
        (br_if $allDone (i64.gt_u (local.get $n) (local.get $hi)))
        (local.set $m (local.get $n))
        (local.set $count (i32.const 0))
        (block $reachedOne
          (loop $nextStep
            (br_if $reachedOne (i64.eq (local.get $m) (i64.const 1)))
            (local.set $m
              (if (result i64) (i64.eqz (i64.and (local.get $m) (i64.const 1)))
                (then (i64.shr_u (local.get $m) (i64.const 1)))
                (else
                  ;; 3m+1 must fit in 64 bits: trap rather than wrap (only starts far past this
                  ;; example's ranges climb that high); collatz-wasm.js reports the trap
                  (if (i64.gt_u (local.get $m) (i64.const 0x5555555555555554)) (then unreachable))
                  (i64.add (i64.mul (local.get $m) (i64.const 3)) (i64.const 1)))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (br $nextStep)))
        ;; strictly longer only, so the first start keeps a tie
        (if (i32.gt_s (local.get $count) (local.get $bestSteps))
          (then
            (local.set $best (local.get $n))
            (local.set $bestSteps (local.get $count))))
        (local.set $n (i64.add (local.get $n) (i64.const 1)))
        (br $nextStart)))
    (global.set $steps (local.get $bestSteps))
    (local.get $best)))

// The longest Collatz chain in a range, in plain JavaScript: examples/collatz-wasm.js does the same
// work in WebAssembly, so the grid can time one against the other.
// The item is "lo-hi" (inclusive) or a number n, meaning 1-n. The result is
// { "start": the start with the most steps to reach 1 (the smallest on a tie), "steps": its steps }.
//   ./grid run examples/collatz.js 1-100000 100001-200000 200001-300000
var MAX_ODD = 3002399751580330 // 3m+1 stays an exact Number (at most 2^53) for odd m up to this

// [lo, hi] from "lo-hi" or n (the string "n" too).
function parseRange (item) {
  var match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(String(item).trim())
  var lo = match ? (match[2] === undefined ? 1 : Number(match[1])) : NaN
  var hi = match ? Number(match[2] === undefined ? match[1] : match[2]) : NaN
  if (!(lo >= 1 && hi >= lo && hi <= 9007199254740991)) {
    throw new Error('expected a range "lo-hi" with 1 <= lo <= hi, or a number n for 1-n; got ' + JSON.stringify(item))
  }
  return [lo, hi]
}

module.exports = function (item) {
  var range = parseRange(item)
  var best = range[0]
  var bestSteps = -1
  for (var n = range[0]; n <= range[1]; n++) {
    var steps = 0
    for (var m = n; m !== 1; steps++) {
      if (m % 2 === 0) {
        m = m / 2
      } else if (m > MAX_ODD) {
        throw new Error('the chain from ' + n + ' climbs past 2^53, where Numbers are no longer exact')
      } else {
        m = 3 * m + 1
      }
    }
    if (steps > bestSteps) {
      best = n
      bestSteps = steps
    }
  }
  return { start: best, steps: bestSteps }
}

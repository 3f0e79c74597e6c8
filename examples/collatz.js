// The longest Collatz chain that starts in a range. The item is "start-end" (end inclusive);
// the result is [start number, chain length].
//   ./grid run examples/collatz.js 1-100000 100001-200000 200001-300000
module.exports = function (range) {
  var parts = String(range).split('-')
  var start = parseInt(parts[0], 10)
  var end = parseInt(parts[1], 10)
  if (!(start >= 1) || !(end >= start)) {
    throw new Error('expected a range "start-end" with 1 <= start <= end, got "' + range + '"')
  }
  var best = start
  var bestLength = 0
  for (var n = start; n <= end; n++) {
    var length = 1
    for (var m = n; m !== 1; length++) {
      m = m % 2 === 0 ? m / 2 : 3 * m + 1
    }
    if (length > bestLength) {
      best = n
      bestLength = length
    }
  }
  return [best, bestLength]
}

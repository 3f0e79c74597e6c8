// Monte Carlo estimate of pi. The item is the number of random points to throw.
//   ./grid run examples/pi.js 2000000 2000000 2000000 2000000
// Average the estimates for a better one:
//   ./grid run examples/pi.js 2000000 2000000 2000000 2000000 | awk '{ s += $1 } END { print s / NR }'
module.exports = function (samples) {
  var inside = 0
  for (var i = 0; i < samples; i++) {
    var x = Math.random()
    var y = Math.random()
    if (x * x + y * y <= 1) inside++
  }
  return 4 * inside / samples
}

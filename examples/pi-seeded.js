// Monte Carlo estimate of pi that replicas can check: the item is a number of rounds of 100,000
// random points. Run with replicas, each job runs on several volunteers and its result is taken
// only when they agree:
//   ./grid run examples/pi-seeded.js 1 2 3 4 --replicas 2
// That works because a job whose results are checked (--replicas 2 or more, or --trust adaptive) gets
// Math.random seeded from its task and item: every replica of an item draws the same numbers, so
// honest volunteers give the same answer, while the items of a task still draw different ones.
// Without replicas, Math.random is the engine's own, unseeded.
module.exports = function (rounds) {
  var inside = 0
  var samples = rounds * 100000
  for (var i = 0; i < samples; i++) {
    var x = Math.random()
    var y = Math.random()
    if (x * x + y * y <= 1) inside++
  }
  return 4 * inside / samples
}

// The smallest task module: squares a number.
//   ./grid run examples/square.js 1 2 3 4 5
module.exports = function (x) {
  return x * x
}

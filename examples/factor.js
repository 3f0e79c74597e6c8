// Factors an integer into primes by trial division (borednet's demo job).
//   ./grid run examples/factor.js 600851475143 9007199254740991 97
// Pando's module form, which GridActors runs unchanged.
module.exports['/pando/1.0.0'] = function (n, cb) {
  n = Number(n)
  if (!(n >= 2) || Math.floor(n) !== n || n > 9007199254740991) {
    return cb(new Error('expected a whole number from 2 to 2^53-1, got ' + n))
  }
  var factors = []
  while (n % 2 === 0) { factors.push(2); n /= 2 }
  for (var d = 3; d * d <= n; d += 2) {
    while (n % d === 0) { factors.push(d); n /= d }
  }
  if (n > 1) factors.push(n)
  cb(null, factors)
}

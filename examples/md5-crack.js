// Brute-forces a short lowercase word from its salted MD5 (Kaylee's demo). The item is
// "SALT:HASH:FROM-TO": try the 4-letter words with indices FROM to TO (aaaa is 0, zzzz is 456975),
// hashing SALT + word. The result is the word, or null when it is not in that slice.
//   ./grid run examples/md5-crack.js gr1d:8aa02ea491bf6d41078b534015782c59:0-114243 \
//     gr1d:8aa02ea491bf6d41078b534015782c59:114244-228487 \
//     gr1d:8aa02ea491bf6d41078b534015782c59:228488-342731 \
//     gr1d:8aa02ea491bf6d41078b534015782c59:342732-456975
var LETTERS = 'abcdefghijklmnopqrstuvwxyz'
var WORD_LENGTH = 4

// MD5 (RFC 1321) of an ASCII string, as lowercase hex. Written here because task code sees no crypto API.
var SHIFTS = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
var K = []
for (var k = 0; k < 64; k++) K[k] = Math.floor(Math.abs(Math.sin(k + 1)) * 4294967296) | 0

function md5(text) {
  var length = text.length
  var words = []
  var blocks = ((length + 8) >> 6) + 1
  for (var i = 0; i < blocks * 16; i++) words[i] = 0
  for (i = 0; i < length; i++) words[i >> 2] |= (text.charCodeAt(i) & 0xff) << ((i % 4) * 8)
  words[length >> 2] |= 0x80 << ((length % 4) * 8)
  words[blocks * 16 - 2] = length * 8
  var a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476
  for (var block = 0; block < words.length; block += 16) {
    var a = a0, b = b0, c = c0, d = d0
    for (var j = 0; j < 64; j++) {
      var f, g
      if (j < 16) { f = (b & c) | (~b & d); g = j }
      else if (j < 32) { f = (d & b) | (~d & c); g = (5 * j + 1) % 16 }
      else if (j < 48) { f = b ^ c ^ d; g = (3 * j + 5) % 16 }
      else { f = c ^ (b | ~d); g = (7 * j) % 16 }
      var sum = (a + f + K[j] + words[block + g]) | 0
      a = d; d = c; c = b
      b = (b + ((sum << SHIFTS[j]) | (sum >>> (32 - SHIFTS[j])))) | 0
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0
  }
  return hex(a0) + hex(b0) + hex(c0) + hex(d0)
}

function hex(word) {
  var out = ''
  for (var i = 0; i < 4; i++) {
    var byte = (word >>> (i * 8)) & 0xff
    out += (byte < 16 ? '0' : '') + byte.toString(16)
  }
  return out
}

function wordAt(index) {
  var word = ''
  for (var i = 0; i < WORD_LENGTH; i++) {
    word = LETTERS.charAt(index % 26) + word
    index = Math.floor(index / 26)
  }
  return word
}

module.exports = function (item) {
  var parts = String(item).split(':')
  var range = parts.length === 3 ? parts[2].split('-') : []
  var from = parseInt(range[0], 10), to = parseInt(range[1], 10)
  if (range.length !== 2 || !(from >= 0) || !(to >= from) || !/^[0-9a-f]{32}$/.test(parts[1])) {
    throw new Error('expected "SALT:HASH:FROM-TO" with an MD5 hex HASH, got "' + item + '"')
  }
  for (var index = from; index <= to; index++) {
    var word = wordAt(index)
    if (md5(parts[0] + word) === parts[1]) return word
  }
  return null
}

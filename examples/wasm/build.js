// A node script, not a grid module: examples/wasm/build.sh runs it once wabt is installed.
// It compiles examples/collatz.wat with wabt's JavaScript API and then either rewrites the byte
// array that examples/collatz-wasm.js carries (the default) or, with --check, only compares the two
// and exits 1 when they differ.
//   node examples/wasm/build.js WABT_DIR [--check]     (WABT_DIR holds node_modules/wabt)
'use strict'
const fs = require('fs')
const path = require('path')

const examples = path.resolve(__dirname, '..')
const watFile = path.join(examples, 'collatz.wat')
const jsFile = path.join(examples, 'collatz-wasm.js')
const rel = (file) => path.relative(path.dirname(examples), file) // paths in messages: from the repo's root

// The byte array sits between these two comment lines of collatz-wasm.js; nothing else is touched.
const BEGIN = '// collatz.wasm: begin'
const END = '// collatz.wasm: end'
const PER_LINE = 16

function fail (code, message) {
  console.error('build.js: ' + message)
  process.exit(code)
}

async function compile (wabtDir) {
  const wabt = await require(path.join(wabtDir, 'node_modules', 'wabt'))()
  const wat = fs.readFileSync(watFile, 'utf8')
  let mod
  try {
    mod = wabt.parseWat(path.basename(watFile), wat)
    mod.resolveNames()
    mod.validate()
    // No debug names: the bytes stay small, and the same .wat always gives the same bytes.
    return Uint8Array.from(mod.toBinary({ log: false, canonicalize_lebs: true, write_debug_names: false }).buffer)
  } catch (error) {
    fail(1, rel(watFile) + ' does not compile: ' + error.message)
  } finally {
    if (mod) mod.destroy()
  }
}

// Splits collatz-wasm.js into the text before the array, the array's lines, and the text after.
function splitModule (source) {
  const begin = source.indexOf(BEGIN)
  const end = source.indexOf(END)
  if (begin < 0 || end < begin) {
    fail(2, rel(jsFile) + ' has no "' + BEGIN + '" ... "' + END + '" lines around its byte array')
  }
  const bodyStart = source.indexOf('\n', begin) + 1
  const bodyEnd = source.lastIndexOf('\n', end) + 1
  return { head: source.slice(0, bodyStart), body: source.slice(bodyStart, bodyEnd), tail: source.slice(bodyEnd) }
}

function parseBytes (body) {
  return (body.match(/0x[0-9a-fA-F]+|\b\d+\b/g) || []).map(Number)
}

function formatBytes (bytes, indent) {
  const lines = []
  for (let i = 0; i < bytes.length; i += PER_LINE) {
    const row = Array.from(bytes.subarray(i, i + PER_LINE), (b) => '0x' + b.toString(16).padStart(2, '0'))
    lines.push(indent + row.join(', ') + (i + PER_LINE < bytes.length ? ',' : '') + '\n')
  }
  return lines.join('')
}

async function main () {
  const [wabtDir, flag] = process.argv.slice(2)
  if (!wabtDir || (flag !== undefined && flag !== '--check')) {
    fail(2, 'usage: node build.js WABT_DIR [--check]')
  }
  const built = await compile(wabtDir)
  const source = fs.readFileSync(jsFile, 'utf8')
  const parts = splitModule(source)
  const carried = parseBytes(parts.body)

  if (flag === '--check') {
    let first = 0
    while (first < built.length && first < carried.length && built[first] === carried[first]) first++
    if (first === built.length && first === carried.length) {
      console.log('build.js: ' + rel(jsFile) + ' carries the ' + built.length + ' bytes that ' + rel(watFile) + ' compiles to.')
      return
    }
    fail(1, 'STALE: the bytes in ' + rel(jsFile) + ' (' + carried.length + ') differ from ' + rel(watFile) +
      ' compiled now (' + built.length + '), first at byte ' + first + '. ' +
      'Run examples/wasm/build.sh (without --check) to rewrite them.')
  }

  const indent = (parts.head.match(/([ \t]*)\/\/ collatz\.wasm: begin[^\n]*\n$/) || ['', '  '])[1]
  const rewritten = parts.head + formatBytes(built, indent) + parts.tail
  if (rewritten === source) {
    console.log('build.js: ' + rel(jsFile) + ' already carries the ' + built.length + ' bytes of ' + rel(watFile) + '.')
  } else {
    fs.writeFileSync(jsFile, rewritten)
    console.log('build.js: wrote the ' + built.length + ' bytes of ' + rel(watFile) + ' into ' + rel(jsFile) + '.')
  }
}

main().catch((error) => fail(2, error.stack || String(error)))

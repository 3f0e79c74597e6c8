// The job host: evaluated in every task's engine (V8 or Jint) before the task's module, as a
// function of (global object, module name, engine name) that returns one object to the runner. Task code reaches none of it but `console`,
// `setTimeout`/`setInterval` and their clear functions, which it installs on the global object.
//
// One crossing from .NET per quick job: start() calls the module, and returns the answer at once
// when the module returned a value or called back before returning. When the module returned a
// promise or will call back later, start() says "wait", and the runner calls poll() until the
// answer is in: poll() runs the timers that are due (the engine runs promise continuations after
// every call from the runner) and says how long until the next one.
//
// An answer is a status character, a console character, then the payload:
//   "1" + JSON of the result, "0" + an error message, "w" + milliseconds to the next timer (-1: none);
//   the console character is "c" when console lines wait for takeConsole(), "-" when none do.
(function (global, moduleName, engineName) {
  'use strict';

  // The built-ins the host relies on, taken before the module can replace its own copies.
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const now = Date.now;
  const imul = Math.imul;
  const nativeRandom = Math.random;

  const consoleLimit = 64 * 1024;
  let lines = [];
  let consoleBytes = 0;
  let consoleDropped = 0;

  function text(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'bigint') return value.toString() + 'n';
    try {
      const json = stringify(value);
      return json === undefined ? String(value) : json;
    } catch (e) {
      return String(value);
    }
  }

  function write() {
    const line = Array.prototype.map.call(arguments, text).join(' ');
    if (consoleBytes + line.length > consoleLimit) {
      consoleDropped++;
      return;
    }
    consoleBytes += line.length;
    lines.push(line);
  }

  const console = {};
  for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace']) console[name] = write;
  Object.defineProperty(global, 'console', { value: console, writable: true, configurable: true, enumerable: false });

  // Timers live in the task's engine and belong to the job that set them: they are dropped when
  // the job's answer is in, so no job's timer ever fires during another job.
  const timers = new Map();
  let nextTimer = 1;

  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== 'function') throw new TypeError('setTimeout and setInterval take a function (code in a string is not run)');
    const id = nextTimer++;
    const delay = Math.max(0, Number(ms) || 0);
    timers.set(id, { fn, args, due: now() + delay, every: repeat ? Math.max(1, delay) : -1 });
    return id;
  }

  function clearTimer(id) { timers.delete(id); }

  const timerFunctions = {
    setTimeout: function setTimeout(fn, ms, ...args) { return addTimer(fn, ms, args, false); },
    setInterval: function setInterval(fn, ms, ...args) { return addTimer(fn, ms, args, true); },
    clearTimeout: function clearTimeout(id) { clearTimer(id); },
    clearInterval: function clearInterval(id) { clearTimer(id); },
  };
  for (const name of Object.keys(timerFunctions)) {
    Object.defineProperty(global, name, { value: timerFunctions[name], writable: true, configurable: true, enumerable: false });
  }

  // The module's line, found in an error's stack: "(line N)" after the message, as people read it.
  const frame = new RegExp(moduleName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ':(\\d+)(?::\\d+)?');

  function describe(error) {
    if (error !== null && typeof error === 'object' && 'message' in error) {
      const name = typeof error.name === 'string' && error.name ? error.name + ': ' : '';
      const where = typeof error.stack === 'string' ? frame.exec(error.stack) : null;
      const missing = typeof WebAssembly === 'undefined' && /\bWebAssembly\b/.test(String(error.message))
        ? ' (this volunteer runs modules in ' + engineName + ', which has no WebAssembly)' : '';
      return name + String(error.message) + (where ? ' (line ' + where[1] + ')' : '') + missing;
    }
    return text(error);
  }

  function callbackError(error) {
    return error !== null && typeof error === 'object' && 'message' in error ? String(error.message) : text(error);
  }

  function serialise(value) {
    const type = typeof value;
    if (type === 'function' || type === 'symbol') {
      return '0the module returned a ' + type + ', which JSON cannot hold: return numbers, strings, booleans, null, arrays or plain objects';
    }
    if (type === 'bigint') return '1' + stringify(value.toString());
    let json;
    try {
      json = stringify(value);
    } catch (e) {
      if (!(e instanceof TypeError) || !/BigInt/i.test(String(e.message))) return '0the result cannot be turned into JSON: ' + describe(e);
      try {
        // BigInts inside the result become their decimal digits, as strings: exact, and readable by any JSON parser.
        json = stringify(value, (key, v) => (typeof v === 'bigint' ? v.toString() : v));
      } catch (again) {
        return '0the result cannot be turned into JSON: ' + describe(again);
      }
    }
    return '1' + (json === undefined ? 'null' : json);
  }

  // A job whose results are checked against other volunteers' gets Math.random seeded from its task
  // and item, so that its replicas draw the same numbers and can agree: sfc32, its four words seeded by
  // hashing the seed text (cyrb128). One generator function serves every job, reseeded, so the
  // module's call sites keep seeing the same function and stay optimised. A seeded job's Math.random
  // replaces whatever the task had installed, which comes back for a job that is not seeded; a task's
  // own Math.random is otherwise left alone.
  let a = 0, b = 0, c = 0, d = 0;

  function reseed(text) {
    let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
    for (let i = 0; i < text.length; i++) {
      const k = text.charCodeAt(i);
      h1 = h2 ^ imul(h1 ^ k, 597399067);
      h2 = h3 ^ imul(h2 ^ k, 2869860233);
      h3 = h4 ^ imul(h3 ^ k, 951274213);
      h4 = h1 ^ imul(h4 ^ k, 2716044179);
    }
    h1 = imul(h3 ^ (h1 >>> 18), 597399067);
    h2 = imul(h4 ^ (h2 >>> 22), 2869860233);
    h3 = imul(h1 ^ (h3 >>> 17), 951274213);
    h4 = imul(h2 ^ (h4 >>> 19), 2716044179);
    h1 ^= h2 ^ h3 ^ h4;
    a = h1 >>> 0;
    b = (h2 ^ h1) >>> 0;
    c = (h3 ^ h1) >>> 0;
    d = (h4 ^ h1) >>> 0;
  }

  function random() {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  let replaced = nativeRandom;
  let seeding = false;

  function seedRandom(seed) {
    if (seed) {
      if (Math.random !== random) replaced = Math.random;
      reseed(seed);
      Math.random = random;
      seeding = true;
    } else if (seeding) {
      if (Math.random === random) Math.random = replaced;
      seeding = false;
    }
  }

  function isThenable(value) {
    return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
  }

  let task = null;
  let job = null;

  // The module's function: module.exports itself, Pando's export (always with a callback), or the
  // default export of a module written with export/import.
  // A module may export compare(a, b) beside its function, for results that legitimately differ (floating
  // point noise): replicas then agree when it returns true.
  function choose(exported) {
    const compare = exported !== null && exported !== undefined && typeof exported.compare === 'function' ? exported.compare : null;
    if (typeof exported === 'function') return { fn: exported, callbackStyle: exported.length >= 2, compare };
    if (exported !== null && typeof exported === 'object') {
      if (typeof exported['/pando/1.0.0'] === 'function') return { fn: exported['/pando/1.0.0'], callbackStyle: true, compare };
      if (typeof exported.default === 'function') {
        const own = compare || (typeof exported.default.compare === 'function' ? exported.default.compare : null);
        return { fn: exported.default, callbackStyle: exported.default.length >= 2, compare: own };
      }
    }
    return null;
  }

  const noFunction = 'the module exports no function. Export one: module.exports = function (x) { return ... }, ' +
    'module.exports = function (x, cb) { cb(null, ...) }, export default function (x) { ... }, ' +
    "or module.exports['/pando/1.0.0'] = function (x, cb) { ... }";

  // Runs a CommonJS module, given as a function of (module, exports). Returns "" or why it cannot be used.
  function useCommonJs(wrapper) {
    const module = { exports: {} };
    try {
      wrapper.call(global, module, module.exports);
    } catch (e) {
      return describe(e);
    }
    task = choose(module.exports);
    return task === null ? noFunction : '';
  }

  // Takes the namespace of a module written with export/import. Returns "" or why it cannot be used.
  function useModule(namespace) {
    task = choose(namespace);
    return task === null ? noFunction : '';
  }

  function settle(state, answer) {
    if (state.done) return;
    state.done = true;
    state.answer = answer;
  }

  function report(state) {
    const c = lines.length > 0 || consoleDropped > 0 ? 'c' : '-';
    if (state.done) {
      job = null;
      timers.clear();
      return state.answer[0] + c + state.answer.slice(1);
    }
    if (state.ranTimer) {
      state.ranTimer = false;
      return 'w' + c + '0';
    }
    let next = -1;
    for (const timer of timers.values()) if (next < 0 || timer.due < next) next = timer.due;
    return 'w' + c + (next < 0 ? -1 : Math.max(0, next - now()));
  }

  function start(itemJson, seed) {
    return startItem(parse(itemJson), seed);
  }

  // Judges pairs of results (a JSON array of [a, b]) with the module's compare function: a JSON array
  // of booleans, or null when the module exports none.
  function compare(pairsJson) {
    const fn = task.compare;
    let answer;
    if (typeof fn !== 'function') {
      answer = '1null';
    } else {
      try {
        answer = '1' + stringify(parse(pairsJson).map((pair) => fn(pair[0], pair[1]) === true));
      } catch (e) {
        answer = '0compare: ' + describe(e);
      }
    }
    return answer[0] + (lines.length > 0 || consoleDropped > 0 ? 'c' : '-') + answer.slice(1);
  }

  // Several jobs of the task in one call from the runner, for jobs that answer at once: runs items
  // (a JSON array) one after another for at most budgetMs, and stops after the first that does not
  // answer at once (the runner carries on with poll() for it). Returns the answers so far, each as
  // its length, ':' and the answer; takeBatch() gives them too, should a job be interrupted.
  let batchAnswers = '';

  function startBatch(itemsJson, budgetMs, seedsJson) {
    const items = parse(itemsJson);
    const seeds = seedsJson ? parse(seedsJson) : null;
    const began = now();
    batchAnswers = '';
    for (let i = 0; i < items.length; i++) {
      const answer = startItem(items[i], seeds ? seeds[i] : '');
      batchAnswers += answer.length + ':' + answer;
      if (answer[0] === 'w' || now() - began >= budgetMs) break;
    }
    return takeBatch();
  }

  function takeBatch() {
    const answers = batchAnswers;
    batchAnswers = '';
    return answers;
  }

  function startItem(item, seed) {
    const fn = task.fn, callbackStyle = task.callbackStyle;
    timers.clear();
    seedRandom(seed);
    const state = { done: false, answer: '', ranTimer: false };
    job = state;
    try {
      if (callbackStyle) {
        fn(item, function (error, result) {
          if (job !== state) return;
          settle(state, error !== null && error !== undefined ? '0' + callbackError(error) : serialise(result));
        });
      } else {
        const value = fn(item);
        if (isThenable(value)) {
          value.then(
            (result) => { if (job === state) settle(state, serialise(result)); },
            (error) => { if (job === state) settle(state, '0' + describe(error)); });
        } else {
          settle(state, serialise(value));
        }
      }
    } catch (e) {
      settle(state, '0' + describe(e));
    }
    return report(state);
  }

  function poll() {
    const state = job;
    if (state === null) return 'w-' + -1;
    const at = now();
    const due = [...timers.entries()].filter(([, t]) => t.due <= at).sort((a, b) => a[1].due - b[1].due || a[0] - b[0]);
    for (const [id, timer] of due) {
      if (state.done) break;
      if (!timers.has(id)) continue;
      if (timer.every < 0) timers.delete(id); else timer.due = at + timer.every;
      state.ranTimer = true;
      try {
        timer.fn.apply(undefined, timer.args);
      } catch (e) {
        settle(state, '0' + describe(e));
      }
    }
    return report(state);
  }

  function takeConsole() {
    if (consoleDropped > 0) lines.push('(' + consoleDropped + ' console lines dropped: a job may write ' + consoleLimit + ' characters)');
    const all = lines.join('\n');
    lines = [];
    consoleBytes = 0;
    consoleDropped = 0;
    return all;
  }

  // After a job that was interrupted or timed out: its timers must not fire in the next job.
  function abandon() {
    job = null;
    timers.clear();
  }

  return { useCommonJs, useModule, start, startBatch, takeBatch, poll, takeConsole, abandon, compare };
})

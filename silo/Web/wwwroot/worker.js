// The Web Worker of a browser volunteer: one task's module, its jobs one after another. The silo serves this
// file after the job host of its runners (prelude.js, bound to makeJobHost above), so a module runs
// with the same forms, console, timers and answers in a tab as in a silo's runner.
//
// The worker is the sandbox: the page never runs task code. Its Content-Security-Policy allows no
// connection and no script from elsewhere; the globals that reach outside the worker are removed
// before the module loads. A job past its time limit is stopped by the page, which ends the worker.
//
// The page hands over a quick task's jobs several at a time: they run back to back, so the worker
// does not wait on the page between jobs, and each answer goes back as soon as it is known, so the
// page always knows which job is running (the one whose time it is watching).
(() => {
  'use strict';

  const send = self.postMessage.bind(self);
  const later = self.setTimeout.bind(self);
  const engineName = 'this browser';

  for (const name of ['fetch', 'XMLHttpRequest', 'WebSocket', 'WebTransport', 'EventSource', 'importScripts', 'indexedDB',
    'caches', 'BroadcastChannel', 'Worker', 'SharedWorker', 'postMessage', 'close', 'requestAnimationFrame']) {
    try {
      Object.defineProperty(self, name, { value: undefined, writable: false, configurable: false });
    } catch (e) {
      // Not defined in this browser.
    }
  }

  const now = performance.now.bind(performance);
  let host = null;
  let loading = null;
  let current = 0;     // the id of the job running, 0 between jobs
  let started = 0;
  const jobs = [];     // jobs given and not yet started: { id, item, seed }

  // Loads the module once: "" when it can run, else why not (a module error fails the task).
  async function load(name, source, standard) {
    if (standard) {
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      host = makeJobHost(self, url, engineName);
      try {
        return host.useModule(await import(url));
      } catch (e) {
        return describe(e);
      }
    }
    host = makeJobHost(self, name, engineName);
    let wrapper;
    try {
      wrapper = (0, eval)('(function (module, exports) {' + source + '\n})\n//# sourceURL=' + name);
    } catch (e) {
      return describe(e);
    }
    return host.useCommonJs(wrapper);
  }

  function describe(e) {
    return e && typeof e === 'object' && 'message' in e ? (e.name ? e.name + ': ' : '') + e.message : String(e);
  }

  function takeConsole(answer) {
    return answer[1] === 'c' ? host.takeConsole() : '';
  }

  // Carries a job to its answer: the job host says "wait" while timers or promises are pending.
  function settle(id, answer) {
    if (id !== current) return;
    if (answer[0] === 'w') {
      const wait = Number(answer.slice(2));
      later(() => {
        settle(id, host.poll());
        run();
      }, wait < 0 ? 1 : wait);
      return;
    }
    current = 0;
    const lines = takeConsole(answer);
    const ms = now() - started;
    if (answer[0] === '1') send({ t: 'answer', id, ok: true, value: answer.slice(2), console: lines, ms });
    else send({ t: 'answer', id, ok: false, error: answer.slice(2), console: lines, ms });
  }

  // Runs the jobs given, one after another, until one waits on a timer or a promise, or none are left.
  function run() {
    while (current === 0 && jobs.length > 0) {
      const job = jobs.shift();
      current = job.id;
      started = now();
      let answer;
      try {
        answer = host.start(job.item, job.seed || '');
      } catch (e) {
        answer = '0-' + describe(e);
      }
      settle(job.id, answer);
    }
  }

  self.addEventListener('message', async (event) => {
    const message = event.data;
    if (message.t === 'load') {
      loading = load(message.name, message.source, message.standard);
      return;
    }
    if (message.t !== 'run' || !Array.isArray(message.jobs)) return;
    const why = await loading;
    if (why) {
      for (const job of message.jobs) send({ t: 'answer', id: job.id, ok: false, error: why, kind: 'module', ms: 0 });
      return;
    }
    jobs.push(...message.jobs);
    run();
  });
})();

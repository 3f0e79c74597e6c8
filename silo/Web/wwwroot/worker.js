// The Web Worker of a browser volunteer: one task's module, one job at a time. The silo serves this
// file after the job host of its runners (prelude.js, bound to makeJobHost above), so a module runs
// with the same forms, console, timers and answers in a tab as in a silo's runner.
//
// The worker is the sandbox: the page never runs task code. Its Content-Security-Policy allows no
// connection and no script from elsewhere; the globals that reach outside the worker are removed
// before the module loads. A job past its time limit is stopped by the page, which ends the worker.
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

  let host = null;
  let loading = null;
  let current = 0;

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
      later(() => settle(id, host.poll()), wait < 0 ? 1 : wait);
      return;
    }
    current = 0;
    const lines = takeConsole(answer);
    if (answer[0] === '1') send({ t: 'answer', id, ok: true, value: answer.slice(2), console: lines });
    else send({ t: 'answer', id, ok: false, error: answer.slice(2), console: lines });
  }

  self.addEventListener('message', async (event) => {
    const message = event.data;
    if (message.t === 'load') {
      loading = load(message.name, message.source, message.standard);
      return;
    }
    if (message.t !== 'run') return;
    const why = await loading;
    if (why) {
      send({ t: 'answer', id: message.id, ok: false, error: why, kind: 'module' });
      return;
    }
    current = message.id;
    let answer;
    try {
      answer = host.start(message.item, message.seed || '');
    } catch (e) {
      answer = '0-' + describe(e);
    }
    settle(message.id, answer);
  });
})();

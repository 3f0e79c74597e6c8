// The /volunteer page: a browser tab volunteering for a GridActors grid. It connects to the silo
// that served it over a WebSocket, proves its invitation key (from the link's #k=...), and runs the
// jobs it is given in Web Workers, one per donated core. Task code never runs in this page: each
// worker holds one task's module, and is ended when a job overruns its time limit or the next job
// belongs to another task.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const ui = {
    message: $('message'), cores: $('cores'), coresValue: $('cores-value'), coresMax: $('cores-max'),
    donate: $('donate'), stop: $('stop'), state: $('state'), running: $('running'), done: $('done'),
    failed: $('failed'), tasks: document.querySelector('#tasks tbody'),
  };

  // A module written with export/import, as the runners tell it (TaskEngine.IsStandardModule).
  const standardModule = /^\s*(export\s+(default\b|\{|\*|const\b|let\b|var\b|function\b|async\b|class\b)|import(\s+[\w{*'"]|\s*[{*'"]))/m;

  const key = new URLSearchParams(location.hash.slice(1)).get('k');
  const offered = Math.max(1, navigator.hardwareConcurrency || 1);
  let cores = Math.max(1, Math.floor(offered / 2));
  let socket = null;
  let wanted = false;      // the user asked to donate, and has not pressed Stop
  let retryDelay = 1000;
  const modules = new Map(); // module hash -> { name, source, standard }
  const queue = [];          // jobs waiting for a worker
  const slots = [];          // { worker, module, task, job, timer, started }
  const tasks = new Map();   // task id -> { running, done }
  let done = 0;
  let failed = 0;
  let outbox = [];

  ui.cores.max = String(offered);
  ui.cores.value = String(cores);
  ui.coresMax.textContent = String(offered);
  ui.coresValue.textContent = String(cores);

  function say(text, error) {
    ui.message.textContent = text;
    ui.message.classList.toggle('error', !!error);
  }

  function setState(state) {
    ui.state.textContent = state;
    document.body.dataset.state = state;
  }

  // The figures are drawn once a frame, however many jobs finish in it.
  let drawing = false;
  function render() {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      draw();
    });
  }

  function draw() {
    ui.running.textContent = String(slots.filter((s) => s.job).length);
    ui.done.textContent = String(done);
    ui.failed.textContent = String(failed);
    const rows = [...tasks.entries()].map(([task, t]) => {
      const row = document.createElement('tr');
      for (const text of [task, String(t.running), String(t.done)]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    ui.tasks.replaceChildren(...rows);
  }

  function browserName() {
    const ua = navigator.userAgent;
    const match = /(Firefox|Edg|OPR|Chrome|Chromium|Version)\/(\d+)/.exec(ua);
    const name = match ? { Edg: 'Edge', OPR: 'Opera', Version: 'Safari' }[match[1]] || match[1] : 'a browser';
    return (match ? name + ' ' + match[2] : name) + ' (Web Workers)';
  }

  if (!key) {
    say('This page needs an invitation link (it ends in #k=...). Ask the grid\'s operator for one: grid invite makes them.', true);
    ui.donate.disabled = true;
    setState('no invitation');
    return;
  }

  ui.cores.addEventListener('input', () => {
    cores = Number(ui.cores.value);
    ui.coresValue.textContent = String(cores);
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ t: 'cores', cores }));
    trimSlots();
    dispatch();
  });

  ui.donate.addEventListener('click', () => {
    wanted = true;
    ui.donate.hidden = true;
    ui.stop.hidden = false;
    connect();
  });

  ui.stop.addEventListener('click', () => {
    wanted = false;
    ui.donate.hidden = false;
    ui.stop.hidden = true;
    if (socket) socket.close(1000, 'stopped by the volunteer');
    socket = null;
    reset();
    say('Stopped. Thank you for your time.');
    setState('stopped');
  });

  // The browser's own id, kept across tabs and visits: its reputation on the grid is keyed by it (and
  // by the invitation key), so trust it has earned is not lost when a tab closes.
  function browserId() {
    try {
      let id = localStorage.getItem('gridactors-browser');
      if (!id) {
        const bytes = new Uint8Array(8);
        crypto.getRandomValues(bytes);
        id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        localStorage.setItem('gridactors-browser', id);
      }
      return id;
    } catch (e) {
      return undefined;
    }
  }

  function connect() {
    setState('connecting');
    say('Connecting to the grid...');
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/volunteer/socket';
    const ws = new WebSocket(url);
    socket = ws;
    let refused = false;
    ws.addEventListener('open', () => {
      ws.send(JSON.stringify({ t: 'hello', key, cores, agent: navigator.userAgent, engine: browserName(), browser: browserId() }));
    });
    ws.addEventListener('message', (event) => {
      if (ws !== socket) return;
      const message = JSON.parse(event.data);
      switch (message.t) {
        case 'welcome':
          retryDelay = 1000;
          setState('donating');
          say('Donating ' + cores + (cores === 1 ? ' core' : ' cores') + ' to the grid as ' + message.volunteer + '. Thank you!');
          break;
        case 'refused':
        case 'dropped':
          refused = true;
          wanted = false;
          setState(message.t);
          say((message.t === 'refused' ? 'The grid refused this tab: ' : 'The grid dropped this tab: ') + message.reason + '.', true);
          ui.donate.hidden = false;
          ui.donate.disabled = true;
          ui.stop.hidden = true;
          break;
        case 'module':
          modules.set(message.hash, { name: message.name, source: message.source, standard: standardModule.test(message.source) });
          break;
        case 'jobs':
          for (const job of message.jobs) {
            queue.push(job);
            task(job.task);
          }
          dispatch();
          break;
        case 'cancel':
          cancel(new Set(message.ids));
          break;
      }
    });
    ws.addEventListener('close', (event) => {
      if (ws !== socket) return;
      socket = null;
      reset();
      if (refused || !wanted) return;
      setState('reconnecting');
      say('Lost the connection to the grid (' + (event.reason || 'code ' + event.code) + '); trying again in ' + retryDelay / 1000 + ' s.', true);
      setTimeout(() => { if (wanted && !socket) connect(); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    });
  }

  function task(id) {
    if (!tasks.has(id)) tasks.set(id, { running: 0, done: 0 });
    return tasks.get(id);
  }

  // The silo withdrew every job this tab held when its connection ended.
  function reset() {
    queue.length = 0;
    for (const slot of slots) end(slot);
    slots.length = 0;
    outbox = [];
    for (const t of tasks.values()) t.running = 0;
    render();
  }

  function end(slot) {
    clearTimeout(slot.timer);
    if (slot.worker) slot.worker.terminate();
    slot.worker = null;
    slot.module = null;
    slot.job = null;
  }

  function trimSlots() {
    for (let i = slots.length - 1; i >= cores; i--) {
      if (!slots[i].job) {
        end(slots[i]);
        slots.splice(i, 1);
      }
    }
  }

  // Starts queued jobs on free workers: one that holds the job's module (for the same task) if any,
  // else a fresh one; a worker of another task is ended rather than reused.
  function dispatch() {
    while (queue.length > 0) {
      const job = queue[0];
      const moduleKey = job.task + '/' + job.module;
      let slot = slots.find((s) => !s.job && s.worker && s.module === moduleKey);
      if (!slot) slot = slots.find((s) => !s.job && !s.worker);
      if (!slot && slots.length < cores) {
        slot = { worker: null, module: null, job: null, timer: 0, started: 0 };
        slots.push(slot);
      }
      if (!slot) slot = slots.find((s) => !s.job);
      if (!slot) break;
      queue.shift();
      start(slot, job, moduleKey);
    }
    render();
  }

  function start(slot, job, moduleKey) {
    if (slot.module !== moduleKey) {
      end(slot);
      const module = modules.get(job.module);
      if (!module) {
        report(job, { ok: false, error: 'the grid sent no module ' + job.module, kind: 'module' }, 0);
        return;
      }
      const worker = new Worker('/volunteer/worker.js');
      worker.addEventListener('message', (event) => answered(slot, worker, event.data));
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        failedWorker(slot, worker, event.message || 'the worker failed');
      });
      worker.postMessage({ t: 'load', name: module.name, source: module.source, standard: module.standard });
      slot.worker = worker;
      slot.module = moduleKey;
    }
    slot.job = job;
    slot.started = performance.now();
    task(job.task).running++;
    slot.timer = setTimeout(() => overran(slot, job), job.timeoutMs);
    slot.worker.postMessage({ t: 'run', id: job.id, item: job.item, seed: job.seed || '' });
  }

  function answered(slot, worker, message) {
    const job = slot.job;
    if (slot.worker !== worker || !job || message === null || typeof message !== 'object' || message.t !== 'answer' || message.id !== job.id) return;
    if (message.console) console.log('[' + job.task + '] ' + message.console);
    finish(slot, job, message.ok
      ? { ok: true, value: String(message.value) }
      : { ok: false, error: String(message.error), kind: message.kind === 'module' ? 'module' : 'script' });
  }

  function failedWorker(slot, worker, error) {
    const job = slot.job;
    if (slot.worker !== worker) return;
    end(slot);
    if (job) report(job, { ok: false, error, kind: 'script' }, performance.now() - slot.started);
    dispatch();
  }

  // A job past its time limit: the worker is ended (it may be in a loop that never yields) and
  // replaced by a fresh one for the next job; this page never waits on it.
  function overran(slot, job) {
    if (slot.job !== job) return;
    end(slot);
    report(job, { ok: false, error: 'timed out after ' + job.timeoutMs / 1000 + ' s', kind: 'timeout' }, job.timeoutMs);
    dispatch();
  }

  function finish(slot, job, outcome) {
    clearTimeout(slot.timer);
    slot.job = null;
    report(job, outcome, performance.now() - slot.started);
    dispatch();
  }

  function report(job, outcome, ms) {
    const t = task(job.task);
    t.running = Math.max(0, t.running - 1);
    if (outcome.ok) {
      t.done++;
      done++;
    } else {
      failed++;
    }
    outbox.push(Object.assign({ id: job.id, ms }, outcome));
    if (outbox.length === 1) queueMicrotask(flush);
  }

  // Answers finished in the same turn go to the silo in one message.
  function flush() {
    if (outbox.length === 0) return;
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ t: 'done', jobs: outbox }));
    outbox = [];
  }

  function cancel(ids) {
    for (let i = queue.length - 1; i >= 0; i--) {
      if (ids.has(queue[i].id)) queue.splice(i, 1);
    }
    for (const slot of slots) {
      if (slot.job && ids.has(slot.job.id)) {
        task(slot.job.task).running = Math.max(0, task(slot.job.task).running - 1);
        end(slot);
      }
    }
    dispatch();
  }

  setState('idle');
  say('Press the button to start. Nothing runs until you do.');
})();

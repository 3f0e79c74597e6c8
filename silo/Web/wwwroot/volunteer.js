// The /volunteer page: a browser tab volunteering for a GridActors grid. It connects to the silo
// that served it over a WebSocket, proves its invitation key (from the link's #k=...), and runs the
// jobs it is given in Web Workers, one per donated core. Task code never runs in this page: each
// worker holds one task's module, and is ended when a job overruns its time limit or the next job
// belongs to another task. A task whose jobs are quick has them handed to a worker several at a
// time, which runs them back to back; the page watches the time of the one running.
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
  const slots = [];          // { worker, module, jobs (given to the worker, the first running), timer, started }
  const quick = new Set();   // task/module keys whose last job took under QuickMs
  const QuickMs = 1;         // a job this quick costs less than the page's round trip to its worker
  const MostAtOnce = 64;     // the most jobs a worker is given at once
  const FlushMs = 1;         // answers wait this long for others to go to the silo with
  const MostPerMessage = 256;
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
    ui.running.textContent = String(slots.filter((s) => s.jobs.length > 0).length);
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
    slot.jobs = [];
  }

  // Jobs a worker was given and did not start (it was ended) go back to the front of the queue.
  function requeue(jobs) {
    for (const job of jobs) task(job.task).running = Math.max(0, task(job.task).running - 1);
    queue.unshift(...jobs);
  }

  function trimSlots() {
    for (let i = slots.length - 1; i >= cores; i--) {
      if (slots[i].jobs.length === 0) {
        end(slots[i]);
        slots.splice(i, 1);
      }
    }
  }

  // Starts queued jobs on free workers: one that holds the job's module (for the same task) if any,
  // else a fresh one; a worker of another task is ended rather than reused. A quick task's jobs next
  // in the queue go to the worker together.
  function dispatch() {
    while (queue.length > 0) {
      const job = queue[0];
      const moduleKey = job.task + '/' + job.module;
      let slot = slots.find((s) => s.jobs.length === 0 && s.worker && s.module === moduleKey);
      if (!slot) slot = slots.find((s) => s.jobs.length === 0 && !s.worker);
      if (!slot && slots.length < cores) {
        slot = { worker: null, module: null, jobs: [], timer: 0, started: 0 };
        slots.push(slot);
      }
      if (!slot) slot = slots.find((s) => s.jobs.length === 0);
      if (!slot) break;
      // A quick task's jobs are shared out among the free workers, up to MostAtOnce each.
      const free = slots.filter((s) => s.jobs.length === 0).length + Math.max(0, cores - slots.length);
      const most = quick.has(moduleKey) ? Math.min(MostAtOnce, Math.ceil(queue.length / free)) : 1;
      const batch = [queue.shift()];
      while (batch.length < most && queue.length > 0 && queue[0].task + '/' + queue[0].module === moduleKey) batch.push(queue.shift());
      start(slot, batch, moduleKey);
    }
    render();
  }

  function start(slot, jobs, moduleKey) {
    if (slot.module !== moduleKey) {
      end(slot);
      const module = modules.get(jobs[0].module);
      if (!module) {
        for (const job of jobs) report(job, { ok: false, error: 'the grid sent no module ' + job.module, kind: 'module' }, 0);
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
    slot.jobs = jobs;
    for (const job of jobs) task(job.task).running++;
    watch(slot);
    slot.worker.postMessage({ t: 'run', jobs: jobs.map((job) => ({ id: job.id, item: job.item, seed: job.seed || '' })) });
  }

  // Times the job the worker is running: the first of those it was given and has not answered.
  function watch(slot) {
    clearTimeout(slot.timer);
    const job = slot.jobs[0];
    slot.started = performance.now();
    if (job) slot.timer = setTimeout(() => overran(slot, job), job.timeoutMs);
  }

  function answered(slot, worker, message) {
    const job = slot.jobs[0];
    if (slot.worker !== worker || !job || message === null || typeof message !== 'object' || message.t !== 'answer' || message.id !== job.id) return;
    if (message.console) console.log('[' + job.task + '] ' + message.console);
    const ms = typeof message.ms === 'number' && message.ms >= 0 ? message.ms : performance.now() - slot.started;
    const moduleKey = job.task + '/' + job.module;
    if (ms < QuickMs) quick.add(moduleKey);
    else quick.delete(moduleKey);
    slot.jobs.shift();
    watch(slot);
    report(job, message.ok
      ? { ok: true, value: String(message.value) }
      : { ok: false, error: String(message.error), kind: message.kind === 'module' ? 'module' : 'script' }, ms);
    if (slot.jobs.length === 0) dispatch();
  }

  function failedWorker(slot, worker, error) {
    const [job, ...rest] = slot.jobs;
    if (slot.worker !== worker) return;
    const ms = performance.now() - slot.started;
    end(slot);
    if (job) report(job, { ok: false, error, kind: 'script' }, ms);
    requeue(rest);
    dispatch();
  }

  // A job past its time limit: the worker is ended (it may be in a loop that never yields) and
  // replaced by a fresh one for the next job; the jobs it had not started go back to the queue.
  // This page never waits on a worker.
  function overran(slot, job) {
    if (slot.jobs[0] !== job) return;
    const rest = slot.jobs.slice(1);
    end(slot);
    quick.delete(job.task + '/' + job.module);
    report(job, { ok: false, error: 'timed out after ' + job.timeoutMs / 1000 + ' s', kind: 'timeout' }, job.timeoutMs);
    requeue(rest);
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
    if (outbox.length === 1) setTimeout(flush, FlushMs);
    else if (outbox.length >= MostPerMessage) flush();
  }

  // Answers go to the silo together: those of the next millisecond or so, in one message. A message
  // costs the browser far more than a job's answer in it (it crosses to the browser's own processes).
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
      if (slot.jobs.some((job) => ids.has(job.id))) {
        const keep = slot.jobs.filter((job) => !ids.has(job.id));
        for (const job of slot.jobs) if (ids.has(job.id)) task(job.task).running = Math.max(0, task(job.task).running - 1);
        end(slot);
        requeue(keep);
      }
    }
    dispatch();
  }

  setState('idle');
  say('Press the button to start. Nothing runs until you do.');
})();

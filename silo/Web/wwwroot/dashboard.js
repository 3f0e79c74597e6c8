// The GridActors dashboard: the grid's silos, volunteers, tasks and invitations, live. The silo
// streams a snapshot a second as server-sent events (/dashboard/events); this page draws it. Opened
// with the cluster secret it can cancel tasks and make or revoke invitations; with a dashboard key
// (#k=... in a link from grid invite --dashboard) it only watches.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const palette = ['#2f6fde', '#e67e22', '#27ae60', '#8e44ad', '#c0392b', '#16a085', '#d35400', '#7f8c8d'];
  const windowSeconds = 300;
  let samples = [];
  let role = '';
  let events = null;

  function setState(state) {
    document.body.dataset.state = state;
  }

  function number(value, digits) {
    if (value === null || value === undefined || Number.isNaN(value)) return '?';
    return Number(value).toLocaleString('en', { maximumFractionDigits: digits === undefined ? 1 : digits });
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
    if (seconds < 60) return Math.round(seconds) + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + Math.round(seconds % 60) + ' s';
    return Math.floor(seconds / 3600) + ' h ' + Math.round((seconds % 3600) / 60) + ' min';
  }

  function cell(content) {
    const td = document.createElement('td');
    if (content instanceof Node) td.append(content);
    else td.textContent = content;
    return td;
  }

  function rows(tableId, items, toCells) {
    const body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren(...items.map((item) => {
      const tr = document.createElement('tr');
      tr.append(...toCells(item).map(cell));
      return tr;
    }));
  }

  function button(text, action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', action);
    return b;
  }

  // Every change goes through POST with a header a page of another origin cannot send.
  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-GridActors-Dashboard': '1' },
      body: JSON.stringify(body || {}),
      credentials: 'same-origin',
    });
    if (!response.ok) alert((await response.text()) || ('The silo answered ' + response.status));
    return response;
  }

  function progress(task) {
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.title = task.done + ' done, ' + task.failed + ' failed of ' + task.items + (task.inputComplete ? '' : '+');
    const total = Math.max(1, task.items);
    const done = document.createElement('span');
    done.style.width = (100 * (task.done + task.failed) / total) + '%';
    const failed = document.createElement('span');
    failed.className = 'failed';
    failed.style.left = (100 * task.done / total) + '%';
    failed.style.width = (100 * task.failed / total) + '%';
    bar.append(done, failed);
    return bar;
  }

  function draw(snapshot) {
    role = snapshot.role;
    $('role').textContent = role === 'admin' ? 'operator' : 'read-only';
    $('updated').textContent = 'updated ' + new Date(snapshot.time).toLocaleTimeString();
    $('orleans').hidden = !snapshot.orleansDashboard;
    $('invitations-section').hidden = role !== 'admin';

    rows('silos', snapshot.silos, (s) => [
      s.name + (s.scheduler ? ' (scheduler)' : ''), s.address, s.status.toLowerCase(), number(s.cpu), number(s.maxCpu),
      number(s.memory / (1024 * 1024), 0) + ' MB', number(s.runners, 0), number(s.capacity, 0), number(s.running, 0),
      number(s.queued, 0), number(s.rate)]);
    rows('volunteers', snapshot.volunteers, (v) => [
      v.name, v.kind, v.silo, number(v.cores, 0), number(v.running, 0), number(v.done, 0), number(v.rate),
      v.jobMs ? number(v.jobMs.mean, 2) + ' ± ' + number(v.jobMs.sd, 2) : '?',
      ...(v.agreed + v.disagreed > 0 ? [number(v.agreed, 0) + ' / ' + number(v.disagreed, 0), v.trusted ? 'yes' : 'no'] : ['-', '-']), v.engine]);
    rows('tasks', snapshot.tasks, (t) => [
      t.id, t.module, t.state, progress(t), number(t.done, 0), number(t.failed, 0),
      number(t.items, 0) + (t.inputComplete ? '' : '+'), number(t.rate), t.state === 'running' ? duration(t.eta) : '-',
      role === 'admin' && t.state === 'running'
        ? button('Cancel', () => { if (confirm('Cancel task ' + t.id + '?')) post('/dashboard/tasks/' + encodeURIComponent(t.id) + '/cancel'); })
        : '']);
    if (role === 'admin') {
      rows('invitations', snapshot.invitations || [], (i) => {
        const link = document.createElement('a');
        link.href = i.link;
        link.textContent = i.link;
        const td = [i.key, i.kind, i.label, number(i.browsers, 0), link,
          button('Revoke', () => { if (confirm('Revoke ' + i.key + '? Its browsers are dropped at once.')) post('/dashboard/invitations/' + encodeURIComponent(i.key) + '/revoke'); })];
        return td;
      });
      for (const row of document.querySelectorAll('#invitations tbody tr')) row.children[4].className = 'link';
    }

    samples.push(snapshot.point);
    const cutoff = snapshot.point.t - windowSeconds * 1000;
    samples = samples.filter((p) => p.t >= cutoff);
    chart();
  }

  // Lines of jobs per second: one per silo, and one per kind of volunteer (silo runners, browsers).
  function chart() {
    const canvas = $('chart');
    const context = canvas.getContext('2d');
    const width = canvas.width;
    const height = canvas.height;
    const left = 44;
    const bottom = 20;
    context.clearRect(0, 0, width, height);
    const series = new Map();
    for (const point of samples) {
      for (const [name, rate] of Object.entries(point.silos)) series.set('silo ' + name, (series.get('silo ' + name) || []).concat([[point.t, rate]]));
      for (const [kind, rate] of Object.entries(point.kinds)) series.set('all ' + kind + ' volunteers', (series.get('all ' + kind + ' volunteers') || []).concat([[point.t, rate]]));
    }
    const top = Math.max(1, ...samples.flatMap((p) => Object.values(p.silos).concat(Object.values(p.kinds))));
    const now = samples.length ? samples[samples.length - 1].t : Date.now();
    const x = (t) => left + (width - left - 8) * (1 - (now - t) / (windowSeconds * 1000));
    const y = (rate) => height - bottom - (height - bottom - 8) * rate / top;
    context.strokeStyle = '#8886';
    context.fillStyle = '#888';
    context.font = '11px system-ui, sans-serif';
    context.lineWidth = 1;
    for (const fraction of [0, 0.5, 1]) {
      context.beginPath();
      context.moveTo(left, y(top * fraction));
      context.lineTo(width - 8, y(top * fraction));
      context.stroke();
      context.fillText(number(top * fraction, 0), 4, y(top * fraction) + 4);
    }
    context.fillText('-5 min', left, height - 5);
    context.fillText('now', width - 30, height - 5);
    const legend = [];
    let i = 0;
    for (const [name, points] of series) {
      const color = palette[i++ % palette.length];
      context.strokeStyle = color;
      context.lineWidth = name.startsWith('all ') ? 2.5 : 1.5;
      context.setLineDash(name.startsWith('all ') ? [6, 3] : []);
      context.beginPath();
      points.forEach(([t, rate], n) => (n === 0 ? context.moveTo(x(t), y(rate)) : context.lineTo(x(t), y(rate))));
      context.stroke();
      const entry = document.createElement('span');
      entry.style.setProperty('--swatch', color);
      entry.textContent = name + ': ' + number(points[points.length - 1][1]) + '/s';
      legend.push(entry);
    }
    context.setLineDash([]);
    $('legend').replaceChildren(...legend);
  }

  function listen() {
    if (events) events.close();
    setState('connecting');
    events = new EventSource('/dashboard/events');
    events.addEventListener('snapshot', (event) => {
      const snapshot = JSON.parse(event.data);
      if (snapshot.history) samples = snapshot.history.slice(0, -1);
      $('login').hidden = true;
      $('board').hidden = false;
      draw(snapshot);
      setState('live');
    });
    events.addEventListener('denied', () => {
      events.close();
      events = null;
      $('board').hidden = true;
      $('login').hidden = false;
      setState('login');
    });
    events.addEventListener('error', () => {
      if (document.body.dataset.state === 'live') setState('reconnecting');
    });
  }

  async function open(key) {
    const response = await fetch('/dashboard/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-GridActors-Dashboard': '1' },
      body: JSON.stringify({ key }),
      credentials: 'same-origin',
    });
    if (!response.ok) {
      $('login-error').textContent = await response.text();
      $('login').hidden = false;
      setState('login');
      return;
    }
    $('login-error').textContent = '';
    listen();
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    open($('login-key').value);
  });
  $('invite-volunteer').addEventListener('click', () => post('/dashboard/invitations', { kind: 'volunteer' }));
  $('invite-dashboard').addEventListener('click', () => post('/dashboard/invitations', { kind: 'dashboard' }));

  // A key in the link opens a session at once; the key then leaves the address bar.
  const key = new URLSearchParams(location.hash.slice(1)).get('k');
  if (key) {
    history.replaceState(null, '', location.pathname);
    open(key);
  } else {
    listen();
  }
})();

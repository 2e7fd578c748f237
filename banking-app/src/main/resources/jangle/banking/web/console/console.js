// Jangle Bank console. Plain DOM: every value from the server goes in with textContent, never innerHTML.
'use strict';

const S = { csrf: null, role: null, name: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function flash(text, bad) {
  const f = document.getElementById('flash');
  f.textContent = text;
  f.className = bad ? 'bad' : '';
}

function key() {
  return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9-]/g, '');
}

async function api(method, path, body, idempotent) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && S.csrf) headers['X-CSRF-Token'] = S.csrf;
  if (idempotent) headers['Idempotency-Key'] = key();
  const res = await fetch(path, { method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) { location.href = '/login'; throw new Error('not logged in'); }
  const text = await res.text();
  let doc = null;
  try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = { error: text }; }
  if (!res.ok) {
    const msg = doc && (doc.error || doc.reason) ? (doc.error || doc.reason) : ('HTTP ' + res.status);
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return doc;
}

function money(n) {
  return n === null || n === undefined ? '' : Number(n).toFixed(2);
}

function table(headers, rows, numeric) {
  const num = new Set(numeric || []);
  return el('div', { class: 'table-wrap' }, el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { class: num.has(i) ? 'num' : null }, h)))),
    el('tbody', {}, rows)));
}

function td(value, cls) {
  return el('td', { class: cls || null }, value);
}

function form(id, fields, button, onsubmit) {
  const f = el('form', { class: 'inline', id },
    fields.map(([name, label, type, extra]) => el('label', {}, label,
      el('input', Object.assign({ name, id: id + '-' + name, type: type || 'text' }, extra || {})))),
    el('button', { type: 'submit', id: id + '-submit' }, button));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(new FormData(f).entries());
    try { await onsubmit(values, f); } catch (e) { flash(e.message, true); }
  });
  return f;
}

function stream(onEvent) {
  // the browser resumes with Last-Event-ID by itself after a dropped connection
  const es = new EventSource('/api/stream');
  es.onmessage = onEvent;
  return es;
}

function debounce(fn, ms) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

function lineChart(points, label, fmt) {
  fmt = fmt || money;
  // points: [{x: Date, y: Number}], drawn as an SVG polyline scaled to its own range
  const W = 1000, H = 200, P = 40;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 20}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('preserveAspectRatio', 'xMinYMid meet');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  if (points.length === 0) return svg;
  const xs = points.map(p => p.x), ys = points.map(p => p.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(0, ...ys), y1 = Math.max(...ys, 1);
  const sx = x => P + (x1 === x0 ? (W - 2 * P) / 2 : (x - x0) / (x1 - x0) * (W - 2 * P));
  const sy = y => H - ((y - y0) / (y1 - y0 || 1)) * (H - P) ;
  const line = document.createElementNS(svg.namespaceURI, 'polyline');
  line.setAttribute('points', points.map(p => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' '));
  svg.append(line);
  for (const [y, txt] of [[y1, fmt(y1)], [y0, fmt(y0)]]) {
    const t = document.createElementNS(svg.namespaceURI, 'text');
    t.setAttribute('x', 2); t.setAttribute('y', sy(y) + 4); t.textContent = txt;
    svg.append(t);
  }
  return svg;
}

function barChart(bars, label) {
  const W = 1000, H = 200;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 20}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const max = Math.max(1, ...bars.map(b => b.value));
  const w = W / Math.max(1, bars.length);
  bars.forEach((b, i) => {
    const h = (b.value / max) * (H - 20);
    const r = document.createElementNS(svg.namespaceURI, 'rect');
    r.setAttribute('class', 'bar');
    r.setAttribute('x', i * w + 8); r.setAttribute('y', H - h); r.setAttribute('width', Math.max(2, w - 16));
    r.setAttribute('height', h);
    svg.append(r);
    const t = document.createElementNS(svg.namespaceURI, 'text');
    t.setAttribute('x', i * w + 8); t.setAttribute('y', H + 14);
    t.textContent = b.label + ' (' + b.value + ')';
    svg.append(t);
  });
  return svg;
}

// ---- pages ----

const pages = {};

pages.accounts = async (content) => {
  const tbody = el('tbody', { id: 'accounts-body' });
  const balances = new Map();
  async function load() {
    const list = await api('GET', '/api/accounts');
    tbody.replaceChildren(...list.map(a => {
      const changed = balances.has(a.accountId) && balances.get(a.accountId) !== money(a.balance);
      balances.set(a.accountId, money(a.balance));
      return el('tr', { 'data-account': a.accountId, class: changed ? 'changed' : null },
        td(el('a', { href: '/console/account?id=' + encodeURIComponent(a.accountId) }, a.accountId)),
        td(a.name, 'wrap name'),
        el('td', { class: 'num balance', id: 'balance-' + a.accountId }, money(a.balance)),
        td(a.pendingRequestCount, 'num'));
    }));
    if (list.length === 0) tbody.append(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No accounts yet.')));
  }
  content.append(
    el('div', { class: 'card' }, el('h2', {}, 'Open an account'),
      form('create', [['name', 'Name', 'text', { required: true, maxlength: 60 }],
        ['initialDeposit', 'Initial deposit', 'text', { inputmode: 'decimal', placeholder: 'optional' }]],
      'Open account', async (v, f) => {
        const body = { name: v.name };
        if (v.initialDeposit) body.initialDeposit = v.initialDeposit;
        const r = await api('POST', '/api/accounts', body, true);
        flash(r.success ? 'Opened account ' + r.data + '.' : r.reason, !r.success);
        f.reset();
        await load();
      })),
    el('div', { class: 'table-wrap' }, el('table', { id: 'accounts' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Account'), el('th', {}, 'Name'), el('th', { class: 'num' }, 'Balance'),
        el('th', { class: 'num' }, 'Pending'))), tbody)),
    el('p', { class: 'muted', id: 'live' }, 'Balances update live.'));
  await load();
  const reload = debounce(() => load().catch(e => flash(e.message, true)), 150);
  stream(reload);
};

pages.account = async (content) => {
  const id = new URLSearchParams(location.search).get('id') || '';
  const head = el('div', { class: 'card', id: 'summary' });
  const pending = el('div', {});
  const ledger = el('div', {});
  const chart = el('div', {});
  async function load() {
    let s;
    try { s = await api('GET', '/api/accounts/' + encodeURIComponent(id)); } catch (e) {
      head.replaceChildren(el('p', { class: 'error' }, e.message)); return;
    }
    head.replaceChildren(el('h2', { id: 'account-name' }, s.name),
      el('p', {}, 'Account ', el('b', {}, s.accountId), ' · balance ', el('b', { id: 'account-balance' }, money(s.balance))));
    pending.replaceChildren(el('h2', {}, 'Requests awaiting approval'), s.pendingRequests.length === 0
      ? el('p', { class: 'muted' }, 'None.')
      : table(['Transaction', 'From', 'Amount', 'Times out', ''], s.pendingRequests.map(p => el('tr', {},
        td(p.transactionId), td(p.requesterAccountId), td(money(p.amount), 'num'), td(p.timeoutAt),
        td(answerButtons(s.accountId, p.transactionId, load)))), [2]));
    const entries = await api('GET', '/api/accounts/' + encodeURIComponent(id) + '/ledger');
    let running = 0;
    const points = entries.map(e => { running += Number(e.amount); return { x: Date.parse(e.initiatedAt), y: running }; });
    chart.replaceChildren(el('h2', {}, 'Balance over time'), lineChart(points, 'balance over time'));
    ledger.replaceChildren(el('h2', {}, 'Ledger'), entries.length === 0 ? el('p', { class: 'muted' }, 'No transactions yet.')
      : table(['Initiated at', 'Amount', 'Type', 'Transaction'], entries.map(e => el('tr', {},
        td(e.initiatedAt), td(money(e.amount), 'num'), td(e.transactionType), td(e.transactionId, 'wrap'))), [1]));
  }
  const enc = encodeURIComponent(id);
  content.append(head,
    el('div', { class: 'card' },
      form('deposit', [['amount', 'Deposit', 'text', { inputmode: 'decimal', required: true }]], 'Deposit', async (v, f) => {
        const r = await api('POST', `/api/accounts/${enc}/deposits`, { amount: v.amount }, true);
        flash('Deposited; balance ' + money(r.balance) + '.'); f.reset(); await load();
      }),
      form('withdraw', [['amount', 'Withdraw', 'text', { inputmode: 'decimal', required: true }]], 'Withdraw', async (v, f) => {
        const r = await api('POST', `/api/accounts/${enc}/withdrawals`, { amount: v.amount }, true);
        flash('Withdrawn; balance ' + money(r.balance) + '.'); f.reset(); await load();
      }),
      form('rename', [['name', 'New name', 'text', { required: true }]], 'Rename', async (v, f) => {
        await api('PUT', `/api/accounts/${enc}/name`, { name: v.name }, true);
        flash('Renamed.'); f.reset(); await load();
      }),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'secondary', id: 'forgive', onclick: async () => {
          try {
            const r = await api('POST', `/api/accounts/${enc}/forgive`, {}, true);
            flash('Forgave ' + money(r.amountForgiven) + '.'); await load();
          } catch (e) { flash(e.message, true); } } }, 'Forgive debt'),
        el('button', { type: 'button', class: 'danger', id: 'delete', onclick: async () => {
          if (!confirm('Delete account ' + id + '?')) return;
          try {
            await api('DELETE', `/api/accounts/${enc}`, undefined, true);
            location.href = '/console/accounts';
          } catch (e) { flash(e.message, true); } } }, 'Delete account'))),
    pending, chart, ledger);
  await load();
  stream(debounce(() => load().catch(e => flash(e.message, true)), 150));
};

function answerButtons(account, tx, after) {
  const go = (what) => async () => {
    try {
      const r = await api('POST', `/api/requests/${encodeURIComponent(tx)}/${what}`, { account }, true);
      flash(what === 'accept' ? 'Accepted: ' + r.outcome + '.' : 'Rejected.');
      await after();
    } catch (e) { flash(e.message, true); }
  };
  return el('span', { class: 'actions' },
    el('button', { type: 'button', class: 'accept', onclick: go('accept') }, 'Accept'),
    el('button', { type: 'button', class: 'secondary reject', onclick: go('reject') }, 'Reject'));
}

pages.send = async (content) => {
  content.append(
    el('div', { class: 'card' }, el('h2', {}, 'Send money'),
      form('send', [['from', 'From account', 'text', { required: true, inputmode: 'numeric' }],
        ['to', 'To account', 'text', { required: true, inputmode: 'numeric' }],
        ['amount', 'Amount', 'text', { required: true, inputmode: 'decimal' }]], 'Send', async (v, f) => {
        const r = await api('POST', '/api/transfers', { from: v.from, to: v.to, amount: v.amount }, true);
        flash('Transfer ' + r.transactionId + ': ' + r.outcome + '.'); f.reset();
      })),
    el('div', { class: 'card' }, el('h2', {}, 'Request money'),
      form('request', [['account', 'Your account', 'text', { required: true, inputmode: 'numeric' }],
        ['from', 'From account', 'text', { required: true, inputmode: 'numeric' }],
        ['amount', 'Amount', 'text', { required: true, inputmode: 'decimal' }]], 'Request', async (v, f) => {
        const r = await api('POST', '/api/requests', { account: v.account, from: v.from, amount: v.amount }, true);
        flash('Request ' + r.transactionId + ' sent.'); f.reset();
      })));
};

pages.requests = async (content) => {
  const list = el('div', { id: 'requests-list' });
  async function load() {
    const accounts = await api('GET', '/api/accounts');
    const rows = [];
    for (const a of accounts.filter(a => a.pendingRequestCount > 0)) {
      const s = await api('GET', '/api/accounts/' + encodeURIComponent(a.accountId));
      for (const p of s.pendingRequests) {
        rows.push(el('tr', {}, td(a.accountId), td(a.name, 'wrap'), td(p.requesterAccountId), td(money(p.amount), 'num'),
          td(p.transactionId, 'wrap'), td(answerButtons(a.accountId, p.transactionId, load))));
      }
    }
    list.replaceChildren(rows.length === 0 ? el('p', { class: 'muted' }, 'No requests are waiting.')
      : table(['Account', 'Name', 'Asked by', 'Amount', 'Transaction', ''], rows, [3]));
  }
  content.append(el('p', { class: 'muted' }, 'Requests waiting for an answer, for every account.'), list);
  await load();
  stream(debounce(() => load().catch(e => flash(e.message, true)), 200));
};

pages.stats = async (content) => {
  const s = await api('GET', '/api/stats');
  const stat = (label, value, id) => el('div', { class: 'stat' }, label, el('b', { id }, value));
  content.append(el('div', { class: 'grid', id: 'stats' },
    stat('Active accounts', s.activeAccounts, 'stat-active'), stat('Deleted accounts', s.deletedAccounts, 'stat-deleted'),
    stat('Net balance', money(s.netBalance), 'stat-net'), stat('Transactions', s.transactionCount, 'stat-count'),
    stat('Average deposit', money(s.averageDeposit)), stat('Average withdrawal', money(s.averageWithdrawal)),
    stat('Debt forgiven', money(s.debtForgiven))));
  // the bank's total balance over time, from the ledgers (the first 50 accounts)
  const accounts = (await api('GET', '/api/accounts')).slice(0, 50);
  const moves = [];
  for (const a of accounts) {
    for (const e of await api('GET', '/api/accounts/' + encodeURIComponent(a.accountId) + '/ledger')) {
      moves.push({ x: Date.parse(e.initiatedAt), amount: Number(e.amount) });
    }
  }
  moves.sort((a, b) => a.x - b.x);
  let total = 0;
  const points = moves.map(m => { total += m.amount; return { x: m.x, y: total }; });
  content.append(el('h2', {}, 'Balances over time'), lineChart(points, 'total balance over time'),
    el('h2', {}, 'Balance by account'),
    barChart(accounts.map(a => ({ label: a.accountId, value: Math.max(0, Number(a.balance)) })), 'balance by account'));
};

pages.operator = async (content) => {
  const procs = el('div', { id: 'processors' });
  const lagChart = el('div', {});
  const dead = el('div', { id: 'dead-letters' });
  const pendingBox = el('div', { id: 'pending' });
  const sagas = el('div', { id: 'sagas' });
  const history = [];
  async function load() {
    const p = await api('GET', '/api/ops/processors');
    procs.replaceChildren(table(['Handler', 'Pending', 'Dead', 'Lag (events)'], p.processors.map(r => el('tr', {},
      td(r.handler), td(r.pending, 'num'), td(r.dead, 'num'), td(r.lag, 'num'))), [1, 2, 3]),
      el('p', { class: 'muted' }, 'Feed position ' + p.lastPosition + '.'));
    history.push({ x: Date.now(), y: p.processors.reduce((n, r) => n + r.lag, 0) });
    if (history.length > 120) history.shift();
    lagChart.replaceChildren(lineChart(history, 'total lag over time', n => String(Math.round(n))));
    const d = await api('GET', '/api/ops/deliveries?status=dead');
    dead.replaceChildren(d.length === 0 ? el('p', { class: 'muted', id: 'no-dead' }, 'No dead letters.')
      : table(['Event', 'Type', 'Account', 'Handler', 'Attempts', 'Last error', ''], d.map(x => el('tr', { 'data-event': x.eventId },
        td(x.eventId, 'wrap'), td(x.eventType), td(x.aggregateId), td(x.handler), td(x.attempts, 'num'),
        td(x.lastError, 'wrap'), td(el('span', { class: 'actions' },
          el('button', { type: 'button', class: 'retry', onclick: async () => {
            try { const r = await api('POST', `/api/ops/deliveries/${x.eventId}/retry`, { handler: x.handler });
              flash('Retried ' + r.retried + '.'); await load(); } catch (e) { flash(e.message, true); } } }, 'Retry'),
          el('button', { type: 'button', class: 'secondary skip', onclick: async () => {
            const reason = prompt('Why skip this delivery?');
            if (!reason) return;
            try { await api('POST', `/api/ops/deliveries/${x.eventId}/skip`, { handler: x.handler, reason });
              flash('Skipped.'); await load(); } catch (e) { flash(e.message, true); } } }, 'Skip'))))), [4]));
    const pe = await api('GET', '/api/ops/deliveries?status=pending&limit=50');
    pendingBox.replaceChildren(pe.length === 0 ? el('p', { class: 'muted' }, 'Nothing pending.')
      : table(['Event', 'Type', 'Handler', 'Attempts', 'Last error'], pe.map(x => el('tr', {},
        td(x.eventId, 'wrap'), td(x.eventType), td(x.handler), td(x.attempts, 'num'), td(x.lastError || '-', 'wrap'))), [3]));
    const sg = await api('GET', '/api/ops/sagas');
    sagas.replaceChildren(sg.length === 0 ? el('p', { class: 'muted' }, 'No open sagas.')
      : table(['Saga', 'Type', 'Flags', 'Retry at', 'Timeout at', 'Timed out'], sg.map(x => el('tr', {},
        td(x.sagaId, 'wrap'), td(x.sagaType), td(x.flags.join(', ') || '-'), td(x.retryAt || '-'), td(x.timeoutAt || '-'),
        td(x.timedOut ? 'yes' : 'no')))));
  }
  content.append(el('h2', {}, 'Processors'), procs, el('h2', {}, 'Lag'), lagChart,
    el('h2', {}, 'Dead letters'), dead, el('h2', {}, 'Pending deliveries'), pendingBox, el('h2', {}, 'Sagas'), sagas);
  await load();
  setInterval(() => load().catch(e => flash(e.message, true)), 2000);
};

async function main() {
  const me = await api('GET', '/api/session');
  S.csrf = me.csrf; S.role = me.role; S.name = me.name;
  document.getElementById('who').textContent = me.name + ' (' + me.role + ')';
  if (me.role === 'operator') for (const a of document.querySelectorAll('.op-only')) a.hidden = false;
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/logout', { method: 'POST', headers: { 'X-CSRF-Token': S.csrf }, credentials: 'same-origin' });
    location.href = '/login';
  });
  const page = document.body.dataset.page;
  const content = document.getElementById('content');
  await pages[page](content);
  document.body.dataset.ready = 'true';
}

main().catch(e => flash(e.message, true));

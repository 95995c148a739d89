'use strict';
// The d2r2 dashboard: polls the REST API (api/openapi.yaml) and draws each panel from its JSON.
// The timeline and the audit trail are fetched incrementally (since = the last seq seen).

const POLL_MS = 500;
const PAGE = 1000;
const KEEP_ENTRIES = 5000;
const KEEP_AUDIT = 500;
const LANES = ['story', 'broker', 'services', 'scaling', 'tunnels', 'events', 'alarms', 'alerts', 'diagnosis', 'contexts', 'actions'];
/** The lanes of a loaded replay (`d2r2 replay` or `d2r2 replay --diff` output), by output kind, under the live ones. */
const REPLAY_LANES = { alarm: 'replay alarms', alert: 'replay alerts', diagnosis: 'replay diagnosis', context: 'replay contexts', decision: 'replay actions' };

const view = {
  timelineSeq: 0,
  auditSeq: 0,
  entries: [],
  replay: [],
  bins: [],
  heat: null,
  servers: new Map(),
  selected: null,
  drawn: {},
  lastOk: null,
  lastFailure: null,
  replicas: false,
};

// ---- DOM helpers: text goes in as text nodes, never as markup (event fields come from the network)

const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(node, attrs, children) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** True when {@code value} differs from what {@code panel} last drew (so unchanged panels keep their DOM). */
function changed(panel, value) {
  const json = JSON.stringify(value);
  if (view.drawn[panel] === json) return false;
  view.drawn[panel] = json;
  return true;
}

function widthOf(node) {
  return Math.max(400, Math.floor(node.getBoundingClientRect().width));
}

// ---- formatting

const pad = (n, w = 2) => String(n).padStart(w, '0');

function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function shortClock(ms) {
  return clock(ms).slice(0, 8);
}

/** What happened, as the terminal timeline says it. */
function what(e) {
  const a = e.attrs || {};
  switch (e.type) {
    case 'story': return a.text;
    case 'policy.decision': return `${a.decision} ${a.actuator}/${a.op} ${a.target ?? ''}${a.reason ? ' — ' + a.reason : ''}`;
    case 'policy.outcome': return `${a.call} ${a.outcome}${a.error ? ': ' + a.error : ''}`;
    case 'policy.context': return `${a.context} ${a.change}`;
    case 'diagnosis.indicted':
      return `indicted in ${a.group}: √JSD ${fixed(a.distance, 3)} > ${fixed(a.threshold, 3)} from ${a.votes} of ${a.voters - 1} peers,`
        + ` ${a.metric} off by ${fixed(a.effect, 1)} after ${a.windows} windows`;
    case 'diagnosis.cleared': return `cleared in ${a.group}`;
    case 'diagnosis.cannot-vote': return `cannot vote: ${a.reason}`;
    case 'diagnosis.distances': return `√JSD of ${a.peers} (threshold ${fixed(a.threshold, 3)}): ${a.matrix}`;
    case 'scale.step': return `${a.direction} ${a.before} → ${a.after}${a.why ? ' — ' + a.why : ''}`;
  }
  if (e.to != null) return `${e.from ?? '?'} → ${e.to}`;
  if (a.chronicle) return `alert from chronicle ${a.chronicle}`;
  return '';
}

const fixed = (v, digits) => (typeof v === 'number' ? v.toFixed(digits) : String(v));

function line(e) {
  const marks = `${e.change ? ' [' + e.change + ']' : ''}${e.uncertain ? ' [uncertain]' : ''}`;
  return `${clock(e.time)}  ${e.lane}  ${e.type}  ${e.source ?? ''}  ${what(e)}${marks}`;
}

const TONES = {
  bad: ['critical', 'down', 'high', 'failed', 'refuse', 'refused', 'removed', 'unknown', 'overload', 'forbidden'],
  warn: ['warning', 'draining', 'active', 'underload'],
  good: ['ok', 'up', 'normal', 'inactive', 'cleared', 'drained', 'added', 'revoke', 'serving', 'open'],
  act: ['deploy', 'extend'],
};
const TONE_RANK = ['bad', 'alert', 'warn', 'act', 'info', 'good', 'story'];
const DIAGNOSIS_TONES = { 'diagnosis.indicted': 'bad', 'diagnosis.cleared': 'good', 'diagnosis.cannot-vote': 'warn' };

/** The colour an entry is drawn in: its new state, decision or outcome. */
function tone(e) {
  if (e.lane === 'story') return 'story';
  if (e.change === 'lost') return 'bad';
  if (e.lane === 'alerts') return 'alert';
  if (e.type in DIAGNOSIS_TONES) return DIAGNOSIS_TONES[e.type];
  const a = e.attrs || {};
  const word = e.type === 'policy.decision' ? a.decision : e.type === 'policy.outcome' ? a.outcome : e.to;
  for (const [t, words] of Object.entries(TONES)) {
    if (words.includes(word)) return t;
  }
  return 'info';
}

function worst(tones) {
  return TONE_RANK.find((t) => tones.includes(t)) ?? 'info';
}

// ---- the API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function get(path) {
  const res = await fetch(path, { cache: 'no-store' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body.error || res.statusText);
  return body;
}

/** A resource that may be absent here (the report and story exist only in a demo): null on 404. */
async function optional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

async function poll() {
  try {
    // After an outage the dashboard may be a new process with its seqs started again: read all anew.
    const anew = view.lastFailure != null;
    const metric = encodeURIComponent($('heat-metric').value);
    const [services, timeline, audit, heat, actions, diagnosis, report, story, instances, tunnels, replicas] = await Promise.all([
      get('api/services'),
      get(`api/timeline?since=${anew ? 0 : view.timelineSeq}&limit=${PAGE}`),
      get(`api/audit?since=${anew ? 0 : view.auditSeq}&limit=${PAGE}`),
      get(`api/heatmap?metric=${metric}`),
      get('api/actions'),
      get('api/diagnosis'),
      optional('api/report'),
      optional('api/story'),
      get('api/instances'),
      get('api/tunnels'),
      optional('api/replicas'),
    ]);
    if (anew) {
      view.entries = [];
      $('audit').replaceChildren();
      $('audit-empty').hidden = false;
      drawLanes();
    }
    drawServices(services);
    drawInstances(instances.instances);
    drawTunnels(tunnels.tunnels);
    takeTimeline(timeline.events);
    takeAudit(audit.entries);
    drawHeat(heat);
    drawActions(actions.actions);
    drawDiagnosis(diagnosis);
    drawReport(report);
    drawStory(story);
    drawReplicas(replicas);
    if (view.selected) await showChain(view.selected);
    connected();
  } catch (e) {
    disconnected(e);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

function connected() {
  view.lastOk = Date.now();
  view.lastFailure = null;
  $('error-banner').hidden = true;
  const status = $('status');
  status.textContent = `live · ${shortClock(view.lastOk)}`;
  status.className = 'status ok';
}

function disconnected(e) {
  view.lastFailure = e;
  const since = view.lastOk ? `what is shown is as of ${shortClock(view.lastOk)}` : 'nothing has been received yet';
  const why = e instanceof ApiError
    ? `The d2r2 API answered ${e.status}: ${e.message}.`
    : `Cannot reach the d2r2 API at ${location.origin} (${e.message}).`;
  const banner = $('error-banner');
  banner.textContent = `${why} Retrying every ${POLL_MS / 1000} s; ${since}.`;
  banner.hidden = false;
  const status = $('status');
  status.textContent = 'disconnected';
  status.className = 'status down';
}

// ---- service map

const TRAFFIC = [
  ['in', 'requests in', '/s'],
  ['out', 'responses out', '/s'],
  ['dropped', 'dropped', '/s'],
  ['dialogs', 'active dialogs', ''],
  ['sources', 'sources', ''],
  ['suspects', 'suspect sources', ''],
];

function drawServices({ servers, traffic }) {
  drawTraffic(traffic, servers);
  drawServers(servers);
}

function drawTraffic(traffic, servers) {
  if (!changed('traffic', [traffic, servers.map((s) => s.state)])) return;
  const dl = $('traffic');
  if (Object.keys(traffic).length === 0) {
    dl.replaceChildren(el('dt', {}, 'telemetry'), el('dd', {}, 'none yet'));
    return;
  }
  const up = servers.filter((s) => s.state === 'up').length;
  const rows = [el('dt', {}, 'servers up'), el('dd', {}, `${up} of ${servers.length}`)];
  for (const [key, label, unit] of TRAFFIC) {
    if (key in traffic) rows.push(el('dt', {}, label), el('dd', { 'data-testid': `traffic-${key}` }, `${traffic[key]}${unit}`));
  }
  const methods = Object.entries(traffic)
    .filter(([k, v]) => k.startsWith('in.') && v > 0)
    .map(([k, v]) => `${k.slice(3)} ${v}`);
  if (methods.length) rows.push(el('dt', {}, 'by method /s'), el('dd', { class: 'small' }, methods.join(' · ')));
  dl.replaceChildren(...rows);
}

function drawServers(servers) {
  const box = $('servers');
  const most = Math.max(1, ...servers.map((s) => s.dialogs));
  const present = new Set();
  for (const s of servers) {
    let card = view.servers.get(s.id);
    if (!card) {
      card = el('div', { class: 'server', 'data-testid': `server-${s.id}` },
        el('h3', { class: 'mono' }, s.id),
        el('span', { class: 'state' }),
        el('div', { class: 'bar' }, el('span')),
        el('span', { class: 'dialogs' }),
        el('span', { class: 'since' }));
      view.servers.set(s.id, card);
      box.append(card);
    }
    card.dataset.state = s.state;
    card.querySelector('.state').textContent = s.state;
    card.querySelector('.bar span').style.width = `${(100 * s.dialogs) / most}%`;
    card.querySelector('.dialogs').textContent = `${s.dialogs} dialog${s.dialogs === 1 ? '' : 's'}`;
    card.querySelector('.since').textContent = `since ${shortClock(s.since)}`;
    present.add(s.id);
  }
  for (const [id, card] of view.servers) {
    if (!present.has(id)) {
      card.remove();
      view.servers.delete(id);
    }
  }
  box.querySelector('.empty')?.toggleAttribute('hidden', servers.length > 0);
}

// ---- the tunnels: each EN's DN, its sessions, failovers, carriers, return route, and its paths' scores

function drawTunnels(tunnels) {
  $('tunnels-panel').hidden = tunnels.length === 0;
  if (!changed('tunnels', tunnels)) return;
  const ms = (micros) => (micros < 0 ? '–' : `${(micros / 1000).toFixed(1)} ms`);
  $('tunnels').replaceChildren(...tunnels.map((t) => el('tr', { 'data-testid': `tunnel-${t.name}`, 'data-dn': t.dn ?? '', 'data-path': t.path },
    el('td', { class: 'mono' }, t.tunnel == null ? t.name : `${t.name} #${t.tunnel}`),
    el('td', { class: 'mono' }, t.address ?? ''),
    el('td', { class: `dn ${t.dn === 'none' ? 'lost' : t.reason ?? ''}`, 'data-testid': 'tunnel-dn' }, t.dn == null ? '' : `${t.dn} (${t.reason})`),
    el('td', {}, t.since ? shortClock(t.since) : ''),
    el('td', { 'data-testid': 'tunnel-failovers' }, t.failovers),
    el('td', { 'data-testid': 'tunnel-failbacks' }, t.failbacks),
    el('td', {}, ...t.sessions.map((s) => el('span', { class: `session ${s.state}`, 'data-testid': `session-${s.dn}`, 'data-state': s.state },
      `${s.dn}${s.primary ? '*' : ''} ${s.state}`))),
    el('td', { class: 'mono', 'data-testid': 'tunnel-carriers' }, t.carriers.join(', ')),
    el('td', { class: 'mono', 'data-testid': 'tunnel-route' }, t.route ? `${t.route.esr}: via ${t.route.dn} (${t.route.via})` : ''),
    el('td', {}, ...t.paths.map((p) => el('div', { class: `path${p.active ? ' active' : ''}${p.up ? '' : ' down'}`, 'data-testid': `path-${p.path}`,
      'data-active': String(p.active), 'data-up': String(p.up), 'data-cost': String(p.cost) },
    `${p.path}${p.active ? ' ◀' : ''} ${p.cost.toFixed(2)} · ${ms(p.rttMicros)} · ±${ms(p.jitterMicros)} · ${(p.loss * 100).toFixed(1)} % · ${p.trust.toFixed(2)}`))))));
}

// ---- the scaler's instances: appearing (starting … serving), draining, stopped

function drawInstances(instances) {
  $('instances-panel').hidden = instances.length === 0;
  if (!changed('instances', instances)) return;
  $('instances').replaceChildren(...instances.map((i) => el('tr', { 'data-testid': `instance-${i.name}`, 'data-state': i.state },
    el('td', { class: 'mono' }, i.name),
    el('td', {}, i.type),
    el('td', {}, i.cloud),
    el('td', { class: 'mono' }, i.address),
    el('td', { class: 'state' }, i.state),
    el('td', {}, shortClock(i.since)),
    el('td', { class: 'small' }, i.why ?? ''))));
}

// ---- heat map

const HEAT = { label: 150, row: 20, axis: 18 };

function drawHeat(heat) {
  if (heat) {
    if (!changed('heat', heat)) return;
    view.heat = heat;
  }
  const h = view.heat;
  if (!h) return;
  const root = $('heatmap');
  const servers = Object.keys(h.rows);
  const n = h.seconds.length;
  const width = widthOf(root);
  const height = HEAT.axis + Math.max(1, servers.length) * HEAT.row;
  const cell = (width - HEAT.label) / Math.max(1, n);
  const values = servers.flatMap((s) => h.rows[s]).filter((v) => v != null);
  const most = Math.max(1, ...values);
  const parts = [];
  servers.forEach((server, i) => {
    const y = HEAT.axis + i * HEAT.row;
    const row = svg('g', { 'data-testid': `heat-row-${server}` },
      svg('text', { x: 0, y: y + HEAT.row * 0.7, class: 'heat-label' }, server));
    h.rows[server].forEach((v, j) => {
      if (v == null) return;
      const attrs = { x: HEAT.label + j * cell, y, width: Math.max(1, cell - 0.5), height: HEAT.row - 2 };
      if (h.metric === 'up') attrs.class = `cell tone-${v >= 1 ? 'good' : 'bad'}`;
      else Object.assign(attrs, { class: 'cell', 'fill-opacity': (0.1 + (0.9 * v) / most).toFixed(3) });
      row.append(svg('rect', attrs, svg('title', {}, `${server} at ${shortClock(h.seconds[j])}: ${v}`)));
    });
    parts.push(row);
  });
  if (n > 0) {
    parts.push(svg('text', { x: HEAT.label, y: 12, class: 'axis-label' }, shortClock(h.seconds[0])),
      svg('text', { x: width, y: 12, class: 'axis-label end' }, shortClock(h.seconds[n - 1])));
  } else {
    parts.push(svg('text', { x: 0, y: 12, class: 'axis-label' }, 'no telemetry from the edge yet'));
  }
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('height', height);
  root.replaceChildren(...parts);
  $('heat-legend').textContent = h.metric === 'up'
    ? 'green: in rotation; red: not; blank: no data for that second'
    : `${h.metric} per second: brighter is more (0 … ${most}); blank: no data`;
}

// ---- swim lanes

const LANE = { label: 110, row: 34, axis: 22, right: 16 };

function takeTimeline(events) {
  if (events.length === 0) return;
  view.timelineSeq = events[events.length - 1].seq;
  view.entries.push(...events);
  if (view.entries.length > KEEP_ENTRIES) view.entries.splice(0, view.entries.length - KEEP_ENTRIES);
  drawLanes();
}

/**
 * A replay's JSON lines as entries of the replay lanes, at their virtual time (the recorded run's
 * clock, so they line up with it). A `--diff` line is drawn as the output it gained or changed, or
 * the one it lost (marked lost). Throws, naming the line, on one that is neither.
 */
function replayEntries(text) {
  const entries = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let o;
    try {
      o = JSON.parse(raw);
    } catch {
      throw new Error(`line ${i + 1} is not JSON`);
    }
    const output = o.change ? (o.after ?? o.before) : o;
    if (!output || typeof output.at !== 'number' || !output.kind) throw new Error(`line ${i + 1} is not a replay output`);
    const lane = REPLAY_LANES[output.kind];
    if (!lane) return;
    entries.push({ ...output.event, time: output.at, lane, change: o.change, uncertain: output.uncertain });
  });
  return entries;
}

async function loadReplay(file) {
  try {
    view.replay = replayEntries(await file.text());
    $('lane-detail').textContent = `replay: ${view.replay.length} entries from ${file.name}`;
  } catch (e) {
    view.replay = [];
    $('lane-detail').textContent = `replay: ${file.name}: ${e.message}`;
  }
  drawLanes();
}

function drawLanes() {
  const root = $('lanes');
  const width = widthOf(root);
  // the broker lane marks a demo's changes of leader: drawn where the broker runs as replicas
  const live = view.replicas ? LANES : LANES.filter((l) => l !== 'broker');
  const lanes = view.replay.length > 0 ? [...live, ...Object.values(REPLAY_LANES)] : live;
  const height = LANE.axis + lanes.length * LANE.row;
  const windowMs = Number($('lane-window').value);
  const entries = view.replay.length > 0 ? [...view.entries, ...view.replay] : view.entries;
  const t1 = entries.reduce((m, e) => Math.max(m, e.time), 0) || Date.now();
  const first = entries.reduce((m, e) => Math.min(m, e.time), t1);
  const t0 = windowMs > 0 ? Math.max(first, t1 - windowMs) : first;
  const span = Math.max(1000, t1 - t0);
  const plot = width - LANE.label - LANE.right;
  const x = (t) => LANE.label + ((t - t0) / span) * plot;
  const shown = entries.filter((e) => e.time >= t0);

  const parts = [axis(t0, span, x, width, height)];
  for (const e of shown.filter((e) => e.lane === 'story')) {
    parts.push(svg('line', { x1: x(e.time), x2: x(e.time), y1: LANE.axis, y2: height, class: 'phase-line' }));
  }
  view.bins = [];
  lanes.forEach((lane, i) => {
    const y = LANE.axis + i * LANE.row;
    const g = svg('g', { 'data-testid': `lane-${lane}`, class: 'lane' },
      svg('rect', { x: 0, y, width, height: LANE.row, class: i % 2 ? 'lane-bg odd' : 'lane-bg' }),
      svg('text', { x: 6, y: y + LANE.row * 0.6, class: 'lane-label' }, lane));
    for (const bin of binned(shown.filter((e) => e.lane === lane), x)) {
      g.append(mark(bin, y + LANE.row / 2, lane === 'story' ? width : null));
    }
    parts.push(g);
  });
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('height', height);
  root.replaceChildren(...parts);
}

/**
 * Marks that would overlap merge into one, with their count, where they are on average: a burst
 * of fifty stays one readable mark.
 */
function binned(entries, x) {
  const bins = [];
  for (const e of [...entries].sort((a, b) => a.time - b.time)) {
    bins.push({ x: x(e.time), entries: [e] });
    while (bins.length > 1 && overlap(bins[bins.length - 2], bins[bins.length - 1])) {
      const last = bins.pop();
      const prev = bins[bins.length - 1];
      const n = prev.entries.length + last.entries.length;
      prev.x = (prev.x * prev.entries.length + last.x * last.entries.length) / n;
      prev.entries.push(...last.entries);
    }
  }
  return bins;
}

const radius = (n) => (n === 1 ? 4.5 : Math.min(13, 5 + 2 * Math.log2(n)));
const overlap = (a, b) => b.x - a.x < radius(a.entries.length) + radius(b.entries.length) + 1;

function mark(bin, cy, storyEnd) {
  const n = bin.entries.length;
  const t = worst(bin.entries.map(tone));
  const index = view.bins.push(bin) - 1;
  const title = n === 1 ? line(bin.entries[0]) : `${n} entries from ${clock(bin.entries[0].time)}, e.g. ${line(bin.entries[0])}`;
  const g = svg('g', { class: `mark tone-${t}`, 'data-testid': 'mark', 'data-bin': index, 'data-count': n },
    svg('circle', { cx: bin.x, cy, r: radius(n) }),
    svg('title', {}, title));
  if (n > 1) g.append(svg('text', { x: bin.x, y: cy + 3, class: 'count' }, n));
  if (storyEnd) {
    const left = bin.x + 80 > storyEnd;
    g.append(svg('text', { x: left ? bin.x - 8 : bin.x + 8, y: cy + 4, class: `story-label${left ? ' end' : ''}` },
      phaseName(bin.entries[n - 1])));
  }
  return g;
}

function phaseName(e) {
  const text = e.attrs?.text ?? '';
  const colon = text.indexOf(':');
  return colon > 0 ? text.slice(0, colon) : text;
}

function axis(t0, span, x, width, height) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800].map((s) => s * 1000);
  const plot = width - LANE.label - LANE.right;
  const step = steps.find((s) => span / s <= plot / 90) ?? steps[steps.length - 1];
  const g = svg('g', { class: 'axis' });
  for (let t = Math.ceil(t0 / step) * step; t <= t0 + span; t += step) {
    const nearEdge = x(t) > width - 30;
    g.append(svg('line', { x1: x(t), x2: x(t), y1: LANE.axis - 4, y2: height }),
      svg('text', { x: nearEdge ? width : x(t), y: 12, class: `axis-label ${nearEdge ? 'end' : 'middle'}` }, shortClock(t)));
  }
  return g;
}

function showBin(target) {
  const mark = target.closest?.('[data-bin]');
  if (!mark) return;
  const bin = view.bins[Number(mark.dataset.bin)];
  if (!bin) return;
  const lines = bin.entries.slice(0, 12).map(line);
  if (bin.entries.length > 12) lines.push(`… and ${bin.entries.length - 12} more`);
  $('lane-detail').textContent = lines.join('\n');
}

// ---- actions and their cause chains

function drawActions(actions) {
  if (!changed('actions', actions)) return;
  const latest = [...actions].sort((a, b) => b.time - a.time);
  $('actions').replaceChildren(...latest.map((a) => el('tr', {
    'data-testid': 'action-row',
    'data-action': a.source,
    class: a.source === view.selected ? 'selected' : null,
    tabindex: 0,
  },
  el('td', {}, clock(a.time)),
  el('td', {}, el('span', { class: `tag tone-${tone(a)}` }, a.attrs.decision)),
  el('td', { class: 'mono' }, a.source),
  el('td', { class: 'mono' }, a.attrs.target ?? ''),
  el('td', {}, a.attrs.rule ?? ''))));
  $('actions-empty').hidden = actions.length > 0;
}

async function select(action) {
  view.selected = action;
  for (const row of $('actions').rows) row.classList.toggle('selected', row.dataset.action === action);
  try {
    await showChain(action);
  } catch (e) {
    disconnected(e);
  }
}

async function showChain(action) {
  const answer = await optional(`api/chain?action=${encodeURIComponent(action)}`);
  if (view.selected !== action || !changed('chain', answer)) return;
  const hint = $('chain-hint');
  if (!answer) {
    hint.textContent = `the dashboard no longer knows action ${action}`;
    $('chain').replaceChildren();
    return;
  }
  hint.textContent = `why ${action} was taken, from the action back to the events:`;
  $('chain').replaceChildren(...answer.chain.map(chainLink));
}

function chainLink(link) {
  const e = link.entry;
  return el('li', { 'data-testid': 'chain-link', 'data-kind': link.kind, class: `link kind-${link.kind}` },
    el('span', { class: 'kind' }, link.kind),
    el('span', { class: 'mono' }, link.id),
    e ? el('span', { class: 'when' }, clock(e.time)) : null,
    el('div', { class: 'what' }, e ? `${e.type} ${e.source ?? ''} ${what(e)}`
      : 'not seen by this dashboard (older than it remembers, or on a channel it does not show)'));
}

// ---- diagnosis: per group the √JSD heat map and each peer's histogram over the profiles

const JSD = { label: 130, cell: 44, head: 20 };
const HIST = { label: 130, row: 20, width: 360 };

function drawDiagnosis({ groups, indicted }) {
  $('diagnosis').hidden = groups.length === 0 && indicted.length === 0;
  if (!changed('diagnosis', { groups, indicted })) return;
  const culprits = new Set(indicted.map((e) => e.source));
  $('diagnosis-groups').replaceChildren(...groups.map((g) => el('div', { class: 'diagnosis-group', 'data-testid': `diagnosis-group-${g.group}` },
    el('h3', {}, `${g.group} · window ending ${clock(g.time)} · threshold ${fixed(g.threshold, 3)}`),
    jsdMap(g, culprits),
    histograms(g, culprits))));
  $('indictments').replaceChildren(...indicted.map((e) => el('li', { 'data-testid': 'indictment', 'data-peer': e.source },
    el('span', { class: 'tag tone-bad' }, 'indicted'), ' ', el('span', { class: 'mono' }, e.source), ` since ${clock(e.time)}: ${what(e)}`)));
  $('indictments-empty').hidden = indicted.length > 0;
}

function peerLabel(peer, culprits, x, y, anchor) {
  return svg('text', { x, y, class: `heat-label${culprits.has(peer) ? ' culprit' : ''}${anchor ? ' ' + anchor : ''}` }, peer);
}

function jsdMap(g, culprits) {
  const n = g.peers.length;
  const size = JSD.label + n * JSD.cell;
  const root = svg('svg', { class: 'jsd', 'data-testid': 'jsd-map', viewBox: `0 0 ${size} ${JSD.head + n * JSD.cell}`,
    width: size, height: JSD.head + n * JSD.cell, role: 'img', 'aria-label': `square root of the Jensen-Shannon divergence between the peers of ${g.group}` });
  g.peers.forEach((peer, i) => {
    root.append(peerLabel(peer, culprits, 0, JSD.head + i * JSD.cell + JSD.cell * 0.6),
      svg('text', { x: JSD.label + i * JSD.cell + JSD.cell / 2, y: 12, class: 'axis-label middle' }, `#${i + 1}`));
    g.matrix[i].forEach((v, j) => {
      const over = v > g.threshold;
      root.append(svg('g', { 'data-testid': 'jsd-cell', 'data-row': peer, 'data-col': g.peers[j], 'data-over': over },
        svg('rect', { x: JSD.label + j * JSD.cell, y: JSD.head + i * JSD.cell, width: JSD.cell - 2, height: JSD.cell - 2,
          class: `cell${over ? ' over' : ''}`, 'fill-opacity': (0.05 + 0.95 * v).toFixed(3) }),
        svg('text', { x: JSD.label + j * JSD.cell + JSD.cell / 2, y: JSD.head + i * JSD.cell + JSD.cell * 0.6, class: 'cell-value middle' },
          fixed(v, 2)),
        svg('title', {}, `${peer} ↔ ${g.peers[j]}: √JSD ${fixed(v, 4)}${over ? ' > threshold' : ''}`)));
    });
  });
  return root;
}

function histograms(g, culprits) {
  const bins = g.histograms.length > 0 ? g.histograms[0].length : 0;
  const root = svg('svg', { class: 'histograms', 'data-testid': 'histograms', viewBox: `0 0 ${HIST.label + HIST.width} ${(g.peers.length + 1) * HIST.row}`,
    width: HIST.label + HIST.width, height: (g.peers.length + 1) * HIST.row, role: 'img', 'aria-label': 'each peer\'s histogram over the profiles' });
  if (bins === 0) {
    root.append(svg('text', { x: 0, y: 14, class: 'axis-label' }, 'no histograms in these windows'));
    return root;
  }
  const binName = (b) => (b === bins - 1 ? 'like no profile' : `profile ${b}`);
  g.peers.forEach((peer, i) => {
    const y = i * HIST.row;
    const row = svg('g', { 'data-testid': `histogram-${peer}` }, peerLabel(peer, culprits, 0, y + HIST.row * 0.7));
    let x = HIST.label;
    g.histograms[i].forEach((share, b) => {
      const w = share * HIST.width;
      if (w > 0) {
        row.append(svg('rect', { x, y: y + 2, width: w, height: HIST.row - 4, class: `bin bin-${b === bins - 1 ? 'none' : b % 6}`,
          'data-bin': b, 'data-share': share }, svg('title', {}, `${peer}: ${binName(b)} ${(100 * share).toFixed(1)} %`)));
      }
      x += w;
    });
    root.append(row);
  });
  const y = g.peers.length * HIST.row;
  for (let b = 0; b < bins; b++) {
    const x = HIST.label + (b * HIST.width) / bins;
    root.append(svg('rect', { x, y: y + 6, width: 10, height: 10, class: `bin bin-${b === bins - 1 ? 'none' : b % 6}` }),
      svg('text', { x: x + 14, y: y + 15, class: 'axis-label' }, binName(b)));
  }
  return root;
}

// ---- audit trail

function takeAudit(entries) {
  if (entries.length === 0) return;
  view.auditSeq = entries[entries.length - 1].seq;
  const body = $('audit');
  for (const e of entries) {
    body.prepend(el('tr', { 'data-testid': 'audit-row', title: JSON.stringify(e.attrs) },
      el('td', {}, e.seq),
      el('td', {}, clock(e.time)),
      el('td', {}, el('span', { class: `tag tone-${tone(e)}` }, e.type.replace('policy.', ''))),
      el('td', { class: 'mono' }, e.source ?? ''),
      el('td', {}, what(e))));
  }
  while (body.rows.length > KEEP_AUDIT) body.lastElementChild.remove();
  $('audit-empty').hidden = true;
}

// ---- report and story (a demo's)

const seconds = (v) => (v == null ? '—' : `${v.toFixed(3)} s`);
const percent = (v) => (v == null ? '—' : `${(100 * v).toFixed(2)} %`);
const plain = (v) => (v == null ? '—' : String(v));
const millis = (v) => (v == null ? '—' : `${v.toFixed(1)} ms`);

const FIGURES = [
  ['flood_detection_s', 'flood detected after', seconds],
  ['flood_remediation_s', 'flood remediated after', seconds],
  ['legit_success_before', 'legitimate calls ok before the flood', percent],
  ['legit_success_during_flood', 'legitimate calls ok during the flood', percent],
  ['legit_success_after', 'legitimate calls ok after the flood', percent],
  ['crash_detection_s', 'crash detected after', seconds],
  ['crash_recovery_s', 'crashed server back in rotation after', seconds],
  ['established_calls_dropped', 'established calls dropped', plain],
  ['in_dialog_failovers', 'in-dialog requests failed over to a peer', plain],
  ['availability', 'availability (legitimate calls ok)', percent],
  ['mttr_s', 'MTTR', seconds],
  ['legit_calls', 'legitimate calls', plain],
  ['legit_setup_p99_ms', 'call setup, 99th percentile', millis],
  ['attack_requests_blocked', 'attack requests blocked at the edge', plain],
  ['threat_contexts', 'threat contexts activated', plain],
  ['migration_downtime_s', 'host at risk: live migration downtime', seconds],
  ['calls_dropped_by_migration', 'calls dropped by the migration', plain],
  ['broker_failover_s', 'broker leader killed: failover to an acknowledged event', seconds],
  ['events_lost', 'acknowledged events lost', plain],
];

function drawReport(report) {
  $('report').hidden = report == null;
  if (report == null || !changed('report', report)) return;
  $('report-state').textContent = report.finished ? 'final' : 'so far';
  $('report-figures').replaceChildren(...FIGURES.map(([key, label, format]) =>
    el('tr', {}, el('th', {}, label), el('td', { 'data-testid': `report-${key}` }, format(report[key])))));
  $('report-floors').replaceChildren(
    el('tr', {}, el('th', {}, 'floor'), el('th', {}, 'value'), el('th', {}, 'bound'), el('th', {}, '')),
    ...(report.floors ?? []).map((f) => el('tr', { 'data-testid': 'floor', 'data-met': f.met },
      el('td', { class: 'mono' }, f.name),
      el('td', {}, plain(f.value)),
      el('td', {}, `${f.atMost ? '≤' : '≥'} ${f.bound}`),
      el('td', {}, floorTag(f, report.finished)))));
}

/** A floor whose figure is not known yet is pending while the demo runs, and missed once it is over. */
function floorTag(floor, finished) {
  if (floor.met) return el('span', { class: 'tag tone-good' }, 'met');
  if (floor.value == null && !finished) return el('span', { class: 'tag tone-info' }, 'pending');
  return el('span', { class: 'tag tone-bad' }, 'missed');
}

/** A demo's broker replicas: each one's role, the last log index it applied, up or down; absent elsewhere. */
function drawReplicas(state) {
  $('replicas-panel').hidden = state == null;
  const had = view.replicas;
  view.replicas = state != null;
  if (had !== view.replicas) drawLanes();
  if (state == null || !changed('replicas', state)) return;
  $('replicas').replaceChildren(...state.replicas.map((r) => el('tr', { 'data-testid': 'replica', 'data-role': r.role },
    el('td', { class: 'mono' }, r.name),
    el('td', { class: 'mono' }, r.address),
    el('td', {}, el('span', { class: `tag tone-${r.role === 'leader' ? 'good' : r.up ? 'info' : 'bad'}` }, r.role)),
    el('td', {}, r.applied < 0 ? '—' : String(r.applied)),
    el('td', {}, r.up ? 'up' : 'down'))));
  const changes = state.changes ?? [];
  $('replica-changes').textContent = changes.length === 0 ? 'no change of leader yet'
    : changes.map((c) => `${shortClock(c.time)} leader ${c.from} → ${c.to}`).join(' · ');
}

function drawStory(phases) {
  $('story').hidden = phases == null;
  if (phases == null || !changed('story', phases)) return;
  $('phases').replaceChildren(...phases.map((p) => el('li', {
    'data-testid': 'phase',
    class: p.end == null ? 'current' : null,
  },
  el('span', { class: 'phase-name' }, p.name),
  el('span', { class: 'when' }, `${shortClock(p.start)}${p.end == null ? ' …' : ' – ' + shortClock(p.end)}`),
  el('span', { class: 'phase-what' }, p.what))));
}

// ---- wiring

document.addEventListener('DOMContentLoaded', () => {
  $('actions').addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-action]');
    if (row) select(row.dataset.action);
  });
  $('actions').addEventListener('keydown', (e) => {
    const row = e.target.closest('tr[data-action]');
    if (row && e.key === 'Enter') select(row.dataset.action);
  });
  $('lanes').addEventListener('mouseover', (e) => showBin(e.target));
  $('lane-window').addEventListener('change', drawLanes);
  $('replay-file').addEventListener('change', (e) => {
    if (e.target.files.length > 0) loadReplay(e.target.files[0]);
  });
  window.addEventListener('resize', () => {
    drawLanes();
    drawHeat(null);
  });
  drawLanes();
  poll();
});

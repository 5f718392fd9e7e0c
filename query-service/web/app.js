// Relations monitor dashboard: plain JavaScript over the query service's
// JSON API (/v1/...). No libraries: the charts are SVG drawn here.
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  // Level bands of docs/relations-model.md section 3.
  const BANDS = [
    { level: 'HOSTILE', lo: -10, hi: -5, fill: '#fecaca', ink: '#991b1b' },
    { level: 'TENSE', lo: -5, hi: -1, fill: '#fed7aa', ink: '#9a3412' },
    { level: 'NEUTRAL', lo: -1, hi: 1, fill: '#e5e7eb', ink: '#374151' },
    { level: 'COOPERATIVE', lo: 1, hi: 5, fill: '#bbf7d0', ink: '#166534' },
    { level: 'CLOSE', lo: 5, hi: 10, fill: '#86efac', ink: '#14532d' },
  ];
  const STATUS = {
    PROPOSED: { fill: '#e0e7ff', label: 'proposed' },
    NEGOTIATING: { fill: '#c7d2fe', label: 'negotiating' },
    AGREED: { fill: '#a5f3fc', label: 'agreed' },
    SIGNED: { fill: '#93c5fd', label: 'signed' },
    UNDER_CONSTRUCTION: { fill: '#fde68a', label: 'under construction' },
    OPERATIONAL: { fill: '#86efac', label: 'operational' },
    SUSPENDED: { fill: '#fca5a5', label: 'suspended' },
    CANCELLED: { fill: '#d1d5db', label: 'cancelled' },
  };
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  const $ = (id) => document.getElementById(id);
  const state = { a: '', b: '', codes: null, rendered: 0, loading: false, articles: new Map(),
                  countryNames: new Map() };

  // ---- small DOM helpers -------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function setAttrs(el, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  function append(el, children) {
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
  }
  function clear(el, ...children) { el.replaceChildren(); append(el, children); }

  // ---- formatting ---------------------------------------------------------
  const strip = (v, prefix) => (v || '').replace(prefix, '');
  const levelOf = (st) => strip(st.level, 'RELATIONS_LEVEL_') || 'UNSPECIFIED';
  const pretty = (v) => v.toLowerCase().replace(/_/g, ' ');
  function dateLabel(iso, precision) {
    if (!iso) return 'undated';
    const d = new Date(iso);
    const p = strip(precision, 'DATE_PRECISION_');
    if (p === 'YEAR') return String(d.getUTCFullYear());
    if (p === 'MONTH') return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  }
  // A timeline point is "as of the end of its period": label it by the
  // period (the month before asOf).
  function periodOf(asOf) {
    const d = new Date(Date.parse(asOf) - 1);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth(),
             key: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
             label: `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` };
  }
  function num(v, digits = 1) {
    return Number(v).toLocaleString('en-GB', { maximumFractionDigits: digits });
  }
  function formatValue(value, unit) {
    const v = Number(value);
    switch (unit) {
      case 'm': return Math.abs(v) >= 1000 ? `${num(v / 1000)} km` : `${num(v)} m`;
      case 'kg': return Math.abs(v) >= 1000 ? `${num(v / 1000)} t` : `${num(v)} kg`;
      case 's': return v >= 86400 ? `${num(v / 86400)} days` : v >= 3600 ? `${num(v / 3600)} h` : `${num(v)} s`;
      case '%': return `${num(v, 2)} %`;
      case 'count': return num(v, 0);
      default:
        if (Math.abs(v) >= 1e9) return `${num(v / 1e9, 2)} bn ${unit}`;
        if (Math.abs(v) >= 1e6) return `${num(v / 1e6, 2)} m ${unit}`;
        return `${num(v, 2)} ${unit || ''}`.trim();
    }
  }
  const scoreText = (x) => (x > 0 ? '+' : '') + Number(x).toFixed(2);

  // ---- API ----------------------------------------------------------------
  async function api(path) {
    const res = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(body.message || `${res.status} ${res.statusText}`);
      err.status = res.status;
      throw err;
    }
    return body;
  }
  const enc = encodeURIComponent;
  async function article(id) {
    if (!state.articles.has(id)) {
      state.articles.set(id, api(`v1/articles/${enc(id)}`).catch(() => null));
    }
    return state.articles.get(id);
  }
  function countryName(code) { return state.countryNames.get(code) || code; }

  // A link to the article a citation came from: its URL when known, else
  // the article id (linked to the article record).
  function citationLink(citation) {
    const span = h('span', { class: 'cite' });
    const fallback = citation.url
      ? h('a', { href: citation.url, rel: 'noopener noreferrer', target: '_blank' }, citation.source || citation.url)
      : h('a', { href: `v1/articles/${enc(citation.articleId)}` }, `${citation.source || 'source'} · ${citation.articleId}`);
    span.appendChild(fallback);
    article(citation.articleId).then((a) => {
      if (!a) return;
      const label = `${a.source || citation.source || 'source'}${a.title ? ': ' + a.title : ''}`;
      const when = a.publishedAt ? ` (${dateLabel(a.publishedAt, 'DAY')})` : '';
      const link = a.url ? h('a', { href: a.url, rel: 'noopener noreferrer', target: '_blank' }, label + when)
                         : h('a', { href: `v1/articles/${enc(a.articleId)}` }, `${label}${when} · ${a.articleId}`);
      clear(span, link);
    });
    return span;
  }

  // ---- summary --------------------------------------------------------------
  function renderSummary(st) {
    const lvl = levelOf(st);
    const names = `${countryName(st.countryA)} – ${countryName(st.countryB)}`;
    $('summary').hidden = false;
    $('summary-title').textContent = `${names}: now`;
    clear($('summary-body'),
      h('span', { class: 'big', 'data-testid': 'current-score' }, lvl === 'UNSPECIFIED' ? '—' : scoreText(st.score)),
      h('span', { class: `badge lv-${lvl}` }, lvl === 'UNSPECIFIED' ? 'nothing known' : pretty(lvl)),
      h('span', {}, `trend: ${pretty(strip(st.trend, 'TREND_') || 'unknown')}`),
      h('span', {}, `${st.eventCount || 0} events`));
  }

  // ---- timeline ---------------------------------------------------------------
  function renderTimeline(points) {
    const box = $('timeline');
    const known = points.filter((p) => levelOf(p) !== 'UNSPECIFIED');
    if (!known.length) {
      clear(box, h('p', { class: 'empty' }, 'No dated events for this pair yet.'));
      clear($('timeline-table'));
      return;
    }
    // Narrow screens get a taller drawing with larger type (the SVG scales
    // to the width, so user units shrink with it).
    const narrow = box.clientWidth < 640;
    const W = narrow ? 600 : 1000, H = narrow ? 520 : 340, L = narrow ? 50 : 44, R = narrow ? 130 : 104,
      T = 14, B = narrow ? 44 : 32, fs = narrow ? 20 : 12;
    state.lastPoints = points;
    const pw = W - L - R, ph = H - T - B;
    const t0 = Date.parse(points[0].asOf), t1 = Date.parse(points[points.length - 1].asOf);
    const x = (t) => L + (t1 === t0 ? pw / 2 : ((t - t0) / (t1 - t0)) * pw);
    const y = (v) => T + ((10 - v) / 20) * ph;
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group',
      'aria-label': `Relations score of ${countryName(state.codes[0])} and ${countryName(state.codes[1])} by month` });
    for (const b of BANDS) {
      svg.appendChild(s('rect', { x: L, y: y(b.hi), width: pw, height: y(b.lo) - y(b.hi), fill: b.fill, opacity: 0.75 }));
      svg.appendChild(s('text', { x: L + pw + 8, y: (y(b.hi) + y(b.lo)) / 2 + 4, class: 'band-label', 'font-size': fs }, pretty(b.level)));
    }
    for (const v of narrow ? [-10, -5, 0, 5, 10] : [-10, -5, -1, 0, 1, 5, 10]) {
      svg.appendChild(s('line', { x1: L, x2: L + pw, y1: y(v), y2: y(v), class: 'grid' }));
      svg.appendChild(s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis', 'font-size': fs }, v > 0 ? `+${v}` : String(v)));
    }
    const firstYear = new Date(t0).getUTCFullYear(), lastYear = new Date(t1).getUTCFullYear();
    const step = Math.max(1, Math.ceil((lastYear - firstYear + 1) / 8));
    for (let yr = firstYear; yr <= lastYear + 1; yr += step) {
      const t = Date.UTC(yr, 0, 1);
      if (t < t0 || t > t1) continue;
      svg.appendChild(s('line', { x1: x(t), x2: x(t), y1: T, y2: T + ph, stroke: '#9ca3af', 'stroke-dasharray': '3 3' }));
      svg.appendChild(s('text', { x: x(t), y: H - 12, 'text-anchor': 'middle', class: 'axis', 'font-size': fs }, String(yr)));
    }
    svg.appendChild(s('polyline', { class: 'line', points: known.map((p) => `${x(Date.parse(p.asOf))},${y(p.score)}`).join(' ') }));
    const circles = [];
    known.forEach((p, i) => {
      const lvl = levelOf(p);
      const band = BANDS.find((b) => b.level === lvl) || BANDS[2];
      const period = periodOf(p.asOf);
      const c = s('circle', {
        cx: x(Date.parse(p.asOf)), cy: y(p.score), r: narrow ? 8 : 6, class: 'pt', fill: band.ink,
        tabindex: 0, role: 'button', 'data-period': period.key, 'data-score': p.score, 'data-level': lvl,
        'aria-label': `${period.label}: score ${scoreText(p.score)}, ${pretty(lvl)}. Show evidence.`,
      }, s('title', {}, `${period.label}: ${scoreText(p.score)} (${pretty(lvl)})`));
      const open = () => { circles.forEach((o) => o.classList.remove('selected')); c.classList.add('selected'); renderEvidence(p); };
      c.addEventListener('click', open);
      c.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); }
        if (e.key === 'ArrowRight' && circles[i + 1]) { e.preventDefault(); circles[i + 1].focus(); }
        if (e.key === 'ArrowLeft' && circles[i - 1]) { e.preventDefault(); circles[i - 1].focus(); }
      });
      circles.push(c);
      svg.appendChild(c);
    });
    clear(box, svg);
    const rows = known.map((p) => {
      const lvl = levelOf(p);
      return h('tr', {}, h('td', {}, periodOf(p.asOf).label), h('td', { class: 'num' }, scoreText(p.score)),
        h('td', {}, h('span', { class: `badge lv-${lvl}` }, pretty(lvl))), h('td', {}, pretty(strip(p.trend, 'TREND_'))),
        h('td', { class: 'num' }, String(p.eventCount || 0)));
    });
    clear($('timeline-table'), h('table', {}, h('caption', { class: 'sr' }, 'Monthly relations score'),
      h('thead', {}, h('tr', {}, ['Month', 'Score', 'Level', 'Trend', 'Events'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)));
  }

  function renderEvidence(p) {
    const lvl = levelOf(p);
    const period = periodOf(p.asOf);
    const items = (p.evidence || []).map((ev) => {
      const w = Number(ev.weight || 0);
      return h('li', { class: w < 0 ? 'neg' : w > 0 ? 'pos' : '' },
        h('div', {}, h('strong', {}, pretty(strip(ev.type, 'EVENT_TYPE_'))), ` · ${dateLabel(ev.occurredAt, ev.datePrecision)} · weight ${scoreText(w)}`),
        ev.summary ? h('div', {}, ev.summary) : null,
        (ev.citations || []).map((c) => h('div', {}, h('blockquote', {}, `“${c.quote}”`), citationLink(c))));
    });
    clear($('evidence'),
      h('h3', { tabindex: -1, id: 'evidence-title' }, `${period.label}: ${scoreText(p.score)}, ${pretty(lvl)} — the events that weigh most`),
      items.length ? h('ul', { class: 'events' }, items) : h('p', { class: 'empty' }, 'No evidence listed for this point.'));
  }

  // ---- agreements --------------------------------------------------------------
  function renderAgreements(list) {
    const box = $('agreements');
    if (!list.length) { clear(box, h('p', { class: 'empty' }, 'No agreements between these two countries.')); return; }
    const now = Date.now();
    let t0 = now;
    for (const a of list) for (const c of a.history || []) t0 = Math.min(t0, Date.parse(c.changedAt));
    t0 = Date.UTC(new Date(t0).getUTCFullYear(), 0, 1);
    const narrow = box.clientWidth < 640;
    const W = narrow ? 600 : 1000, L = 10, R = 10, lane = narrow ? 64 : 46, top = 8, fs = narrow ? 20 : 13;
    state.lastAgreements = list;
    const dated = list.filter((a) => (a.history || []).length);
    const H = top + dated.length * lane + (narrow ? 36 : 26);
    const x = (t) => L + ((t - t0) / Math.max(1, now - t0)) * (W - L - R);
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img',
      'aria-label': 'Status of each agreement over time; the list below gives the same facts as text.' });
    const y0 = new Date(t0).getUTCFullYear(), y1 = new Date(now).getUTCFullYear();
    for (let yr = y0; yr <= y1; yr++) {
      const t = Date.UTC(yr, 0, 1);
      svg.appendChild(s('line', { x1: x(t), x2: x(t), y1: top, y2: H - 22, stroke: '#e5e7eb' }));
      svg.appendChild(s('text', { x: x(t) + 3, y: H - 8, class: 'axis', 'font-size': fs }, String(yr)));
    }
    dated.forEach((a, i) => {
      const yy = top + i * lane;
      // Long names are cut to fit the lane; the full name is in the list below.
      const max = narrow ? 48 : 110;
      const name = a.name.length > max ? `${a.name.slice(0, max - 1)}…` : a.name;
      svg.appendChild(s('text', { x: L, y: yy + fs, class: 'lane-label', 'font-size': fs }, name, s('title', {}, a.name)));
      const hist = a.history;
      hist.forEach((c, j) => {
        const start = Date.parse(c.changedAt);
        const end = j + 1 < hist.length ? Date.parse(hist[j + 1].changedAt) : now;
        const st = strip(c.status, 'AGREEMENT_STATUS_');
        const info = STATUS[st] || { fill: '#e5e7eb', label: pretty(st) };
        const wpx = Math.max(3, x(end) - x(start));
        svg.appendChild(s('rect', { x: x(start), y: yy + fs + 6, width: wpx, height: narrow ? 28 : 20, rx: 3, fill: info.fill, stroke: '#6b7280', 'stroke-width': 0.75 },
          s('title', {}, `${a.name}: ${info.label} from ${dateLabel(c.changedAt, c.datePrecision)}`)));
        if (wpx > (narrow ? 150 : 90)) {
          svg.appendChild(s('text', { x: x(start) + 6, y: yy + fs + (narrow ? 26 : 20), class: 'seg-label', 'font-size': narrow ? 17 : 11 }, info.label));
        }
      });
    });
    const legend = h('ul', { class: 'legend', 'aria-label': 'Status colours' },
      Object.values(STATUS).map((v) => {
        const sw = h('span', { class: 'sw' });
        sw.style.background = v.fill;
        return h('li', {}, sw, v.label);
      }));
    const details = list.map((a) => {
      const st = strip(a.status, 'AGREEMENT_STATUS_');
      return h('div', { class: 'agreement', 'data-agreement': a.agreementId },
        h('h3', {}, a.name, ' ', h('span', { class: 'badge lv-NEUTRAL' }, (STATUS[st] || { label: pretty(st || 'unknown') }).label)),
        h('div', { class: 'hint' }, `${pretty(strip(a.kind, 'AGREEMENT_KIND_'))} · ${(a.parties || []).map(countryName).join(', ')}`),
        (a.history || []).length ? h('ul', {}, a.history.map((c) => h('li', {},
          `${dateLabel(c.changedAt, c.datePrecision)}: ${(STATUS[strip(c.status, 'AGREEMENT_STATUS_')] || { label: pretty(c.status) }).label} — `,
          c.citation ? citationLink(c.citation) : ''))) : h('p', { class: 'empty' }, 'No dated status change.'),
        (a.figures || []).length ? h('ul', {}, a.figures.map((f) => h('li', {},
          `${pretty(f.quantity)}${f.subject ? ' of ' + f.subject : ''}: `, h('strong', {}, formatValue(f.value, f.unit)),
          f.originalText ? ` (“${f.originalText}”) ` : ' ', f.citation ? citationLink(f.citation) : ''))) : null);
    });
    clear(box, legend, dated.length ? h('div', { class: 'swim' }, svg) : null, details);
  }

  // ---- disputes ---------------------------------------------------------------
  function renderDisputes(list) {
    const box = $('disputes');
    if (!list.length) { clear(box, h('p', { class: 'empty' }, 'No disputed figures for this pair.')); return; }
    clear(box, list.map((d) => {
      const spread = Number(d.maxValue) - Number(d.minValue);
      const ratio = Number(d.minValue) ? Number(d.maxValue) / Number(d.minValue) : null;
      const claims = [...(d.claims || [])].sort((p, q) => Number(q.value) - Number(p.value));
      return h('div', { class: 'dispute', 'data-quantity': d.quantity },
        h('h3', {}, `${pretty(d.quantity)}${d.subject ? ' — ' + d.subject : ''}`),
        h('p', { class: 'hint' }, 'Spread: ', h('span', { class: 'spread' },
          `${formatValue(d.minValue, d.unit)} to ${formatValue(d.maxValue, d.unit)} (difference ${formatValue(spread, d.unit)}${ratio ? `, ×${num(ratio, 1)}` : ''})`)),
        h('table', {},
          h('caption', { class: 'sr' }, `Claims of ${pretty(d.quantity)}`),
          h('thead', {}, h('tr', {}, ['Value', 'As written', 'Source', 'Sentence'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, claims.map((c) => h('tr', { class: 'claim' },
            h('td', { class: 'num', 'data-label': 'Value' }, h('strong', {}, formatValue(c.value, c.unit || d.unit))),
            h('td', { 'data-label': 'As written' }, c.originalText || ''),
            h('td', { 'data-label': 'Source' }, c.citation ? citationLink(c.citation) : ''),
            h('td', { 'data-label': 'Sentence' }, c.citation && c.citation.quote ? `“${c.citation.quote}”` : ''))))));
    }));
  }

  // ---- loading a pair ----------------------------------------------------------
  function showMessage(text) {
    const m = $('message');
    m.hidden = !text;
    m.textContent = text || '';
  }

  async function loadPair(minSequence) {
    if (!state.a || !state.b) return;
    state.loading = true;
    const a = enc(state.a), b = enc(state.b);
    const min = minSequence ? `min_sequence=${minSequence}` : '';
    try {
      const st = await api(`v1/relations/${a}/${b}/state?${min}`);
      state.codes = [st.countryA, st.countryB];
      showMessage('');
      renderSummary(st);
      const [tl, ag, di] = await Promise.all([
        api(`v1/relations/${a}/${b}/timeline?granularity=month&${min}`),
        api(`v1/agreements?country=${enc(st.countryA)}&page_size=1000&${min}`),
        api(`v1/disputes?country=${enc(st.countryA)}&page_size=1000&${min}`),
      ]);
      const other = st.countryB;
      renderTimeline(tl.points || []);
      renderAgreements((ag.agreements || []).filter((x) => (x.parties || []).includes(other)));
      renderDisputes((di.disputedFigures || []).filter((x) => (x.parties || []).includes(other)));
      document.body.dataset.loadedSequence = String(minSequence || 0);
      document.body.dataset.loaded = 'true';
    } catch (e) {
      showMessage(e.message);
    } finally {
      state.loading = false;
    }
  }

  // ---- live indicator ----------------------------------------------------------
  let lastApplied = -1;
  async function poll() {
    const live = $('live'), text = $('live-text');
    try {
      const st = await api('v1/status');
      const applied = Number(st.appliedSequence);
      const behind = Number(st.followLagEvents || 0);
      live.className = `live ${!st.serving ? 'down' : behind > 0 ? 'busy' : 'ok'}`;
      live.dataset.applied = String(applied);
      text.textContent = `Log position ${applied} applied` +
        (behind > 0 ? ` · ${behind} events to apply` : st.connected ? ' · following live' : ' · waiting for the ingest service');
      if (applied !== lastApplied) {
        const first = lastApplied < 0;
        lastApplied = applied;
        state.rendered = applied;
        if (!first && !state.loading) state.articles.clear(), loadPair(applied);
      }
    } catch (e) {
      live.className = 'live down';
      text.textContent = 'Query service unreachable; retrying';
    }
  }

  async function loadCountries() {
    try {
      const { countries } = await api('v1/countries');
      const list = $('countries');
      for (const c of countries) {
        state.countryNames.set(c.code, c.name);
        list.appendChild(h('option', { value: c.name }, c.code));
      }
    } catch (e) { /* the inputs still accept codes and names */ }
  }

  function fromHash() {
    const parts = decodeURIComponent(location.hash.slice(1)).split('/');
    if (parts.length === 2 && parts[0] && parts[1]) {
      $('country-a').value = parts[0];
      $('country-b').value = parts[1];
      state.a = parts[0];
      state.b = parts[1];
      loadPair(lastApplied > 0 ? lastApplied : 0);
    }
  }

  $('pair-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.a = $('country-a').value.trim();
    state.b = $('country-b').value.trim();
    history.replaceState(null, '', `#${enc(state.a)}/${enc(state.b)}`);
    clear($('evidence'));
    loadPair(lastApplied > 0 ? lastApplied : 0);
  });
  window.addEventListener('hashchange', fromHash);
  let resizeTimer = 0;
  let lastWidth = window.innerWidth;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (Math.abs(window.innerWidth - lastWidth) < 40) return;
      lastWidth = window.innerWidth;
      if (state.lastPoints) renderTimeline(state.lastPoints);
      if (state.lastAgreements) renderAgreements(state.lastAgreements);
    }, 150);
  });

  loadCountries().then(() => { poll(); fromHash(); });
  setInterval(poll, 2000);
})();

// The admin page: reads the admin port's JSON API and draws it. No libraries, no network beyond
// this origin. Money arrives as integers of micro-dollars and is shown exactly.
'use strict';

const COLORS = ['#2e6be6', '#e6862e', '#2ea36b', '#b42318', '#7a4fd6', '#1d9bb3', '#c2419a', '#667085'];

function usd(micros) {
  if (micros === null || micros === undefined) return 'unknown';
  const negative = micros < 0;
  const m = Math.abs(micros);
  const whole = Math.floor(m / 1000000);
  const frac = String(m % 1000000).padStart(6, '0');
  return (negative ? '-$' : '$') + whole.toLocaleString('en-US') + '.' + frac;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tableId, rows, render) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren();
  for (const item of rows) {
    const tr = document.createElement('tr');
    render(tr, item);
    body.appendChild(tr);
  }
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body && body.error ? body.error.message : 'HTTP ' + response.status);
  }
  return body;
}

function drawProviders(list) {
  fill('providers', list.data, (tr, p) => {
    tr.dataset.provider = p.name;
    cell(tr, p.name);
    cell(tr, p.type);
    cell(tr, p.status, 'status-' + p.status);
    cell(tr, String(p.model_count), 'num');
    cell(tr, p.error || '');
  });
}

function drawKeys(list) {
  fill('keys', list.data, (tr, k) => {
    tr.dataset.key = k.id;
    cell(tr, k.name);
    cell(tr, k.prefix + '…');
    cell(tr, k.budget_micros === null ? 'none' : usd(k.budget_micros) + ' ' + k.budget_period, 'num');
    cell(tr, usd(k.spend_micros), 'num');
    const share = cell(tr, '');
    if (k.budget_micros !== null && k.budget_micros > 0) {
      const percent = Math.round((k.spend_micros * 1000) / k.budget_micros) / 10;
      const bar = document.createElement('span');
      bar.className = 'bar' + (percent >= 100 ? ' over' : '');
      const filled = document.createElement('span');
      filled.style.width = Math.min(100, percent) + '%';
      bar.appendChild(filled);
      share.appendChild(bar);
      const label = document.createElement('span');
      label.className = 'share';
      label.textContent = ' ' + percent.toFixed(1) + '%';
      share.appendChild(label);
    } else {
      share.textContent = '–';
    }
    cell(tr, k.budget_resets_at || '–');
    cell(tr, k.revoked_at ? 'revoked' : (k.enabled ? 'enabled' : 'disabled'));
  });
}

function drawTotals(tableId, list, labelOf) {
  fill(tableId, list.data, (tr, u) => {
    tr.dataset.group = u.group;
    cell(tr, labelOf(u));
    cell(tr, String(u.requests), 'num');
    cell(tr, String(u.prompt_tokens), 'num');
    cell(tr, String(u.completion_tokens), 'num');
    cell(tr, usd(u.cost_micros) + (u.unknown_cost_requests > 0 ? ' (+' + u.unknown_cost_requests + ' unpriced)' : ''),
      'num');
  });
}

/** Stacked bars: one bar per day, one colour per series, heights in micro-dollars. */
function drawChart(containerId, rows, seriesOf, labelOf) {
  const container = document.getElementById(containerId);
  container.replaceChildren();
  const days = [...new Set(rows.map(r => r.day))].sort();
  const series = [...new Set(rows.map(seriesOf))].sort();
  const totals = days.map(day => rows.filter(r => r.day === day).reduce((sum, r) => sum + (r.cost_micros || 0), 0));
  const max = Math.max(1, ...totals);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 400 180');
  svg.setAttribute('role', 'img');
  const width = 400 / Math.max(1, days.length);
  days.forEach((day, i) => {
    let y = 160;
    series.forEach((name, s) => {
      const row = rows.find(r => r.day === day && seriesOf(r) === name);
      if (!row || !row.cost_micros) return;
      const h = (row.cost_micros / max) * 150;
      y -= h;
      const rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('x', String(i * width + width * 0.15));
      rect.setAttribute('y', String(y));
      rect.setAttribute('width', String(width * 0.7));
      rect.setAttribute('height', String(h));
      rect.setAttribute('fill', COLORS[s % COLORS.length]);
      const title = document.createElementNS(ns, 'title');
      title.textContent = day + ' ' + labelOf(row) + ': ' + usd(row.cost_micros);
      rect.appendChild(title);
      svg.appendChild(rect);
    });
    const text = document.createElementNS(ns, 'text');
    text.setAttribute('x', String(i * width + width / 2));
    text.setAttribute('y', '175');
    text.setAttribute('text-anchor', 'middle');
    text.setAttribute('font-size', '9');
    text.textContent = day.slice(5);
    svg.appendChild(text);
  });
  container.appendChild(svg);
  const legend = document.createElement('div');
  legend.className = 'legend';
  series.forEach((name, s) => {
    const row = rows.find(r => seriesOf(r) === name);
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = COLORS[s % COLORS.length];
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(labelOf(row)));
    legend.appendChild(item);
  });
  container.appendChild(legend);
}

async function refresh() {
  const error = document.getElementById('error');
  try {
    const [providers, keys, byKey, byModel, byDayKey, byDayModel] = await Promise.all([
      getJson('/api/providers'),
      getJson('/api/keys'),
      getJson('/api/usage?group_by=key'),
      getJson('/api/usage?group_by=model'),
      getJson('/api/usage?group_by=day,key'),
      getJson('/api/usage?group_by=day,model'),
    ]);
    const names = new Map(keys.data.map(k => [k.id, k.name]));
    const keyLabel = u => (u.key === null || u.key === undefined) ? '(no key)' : (names.get(u.key) || u.key);
    drawProviders(providers);
    drawKeys(keys);
    drawTotals('spend-by-key', byKey, u => (u.group === null ? '(no key)' : (names.get(u.group) || u.group)));
    drawTotals('spend-by-model', byModel, u => u.group === null ? '(unknown)' : u.group);
    drawChart('spend-by-key-chart', byDayKey.data, r => String(r.key), keyLabel);
    drawChart('spend-by-model-chart', byDayModel.data, r => String(r.model), r => String(r.model));
    error.hidden = true;
    document.getElementById('updated').textContent = 'updated ' + new Date().toISOString();
    document.body.dataset.loaded = 'true';
  } catch (e) {
    error.hidden = false;
    error.textContent = 'Could not load: ' + e.message;
    document.body.dataset.loaded = 'error';
  }
}

refresh();
setInterval(refresh, 10000);

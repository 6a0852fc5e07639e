// The live status page: the store's health and the chart, fed by /status/events.
(() => {
  const $ = (id) => document.getElementById(id);
  const width = () => Math.max(320, $('chart').clientWidth - 16);
  const chart = window.StatusChart.create($('chart'), [], width());
  window.addEventListener('resize', () => chart.resize(width()));

  function showHealth(health) {
    $('status').textContent = health.status;
    $('status').className = `value status ${health.status}`;
    $('serving').textContent = health.active ?? 'none';
    $('primary').textContent = `primary: ${health.backends[0]?.name ?? '-'}`;
    const rows = health.backends.map((b) => {
      const tr = document.createElement('tr');
      const latency = b.latencyMs === undefined ? '-' : `${b.latencyMs.toFixed(1)} ms`;
      for (const [text, cls] of [
        [b.name, ''],
        [b.state, b.state],
        [latency, ''],
        [b.lastError ?? '', ''],
      ]) {
        const td = document.createElement('td');
        td.textContent = text;
        if (cls) td.className = cls;
        tr.append(td);
      }
      tr.dataset.backend = b.name;
      return tr;
    });
    $('backends')
      .querySelector('tbody')
      .replaceChildren(...rows);
  }

  function showSecond(p) {
    $('serving').textContent = p.serving ?? 'none';
    $('status').textContent = p.status;
    $('status').className = `value status ${p.status}`;
    const p99 = p.p99Ms === null ? '-' : `${p.p99Ms} ms`;
    $('numbers').textContent =
      `${p.requests} req/s · p99 ${p99} · ${p.errors} errors · ` +
      `${p.primary} primary / ${p.fallback} fallback`;
  }

  function logEvent(change) {
    const li = document.createElement('li');
    li.textContent = `${new Date(change.t).toLocaleTimeString()}  ${change.event}`;
    $('events').prepend(li);
  }

  const events = new EventSource('/status/events');
  events.addEventListener('open', () => {
    $('stream').textContent = 'live';
  });
  events.addEventListener('error', () => {
    $('stream').textContent = 'reconnecting…';
  });
  events.addEventListener('snapshot', (e) => {
    const { history, health } = JSON.parse(e.data);
    chart.reset(history);
    showHealth(health);
    if (history.length > 0) showSecond(history[history.length - 1]);
  });
  events.addEventListener('second', (e) => {
    const point = JSON.parse(e.data);
    chart.push(point);
    showSecond(point);
  });
  events.addEventListener('state', (e) => {
    const change = JSON.parse(e.data);
    showHealth(change.health);
    logEvent(change);
  });
})();

// The status chart, drawn with uPlot: requests per second, p99 latency and server errors
// per second, with the seconds in which a fallback served (or nothing could) shaded.
// Shared by the live status page and by the demo's report, which inlines this file.
(() => {
  const KEPT = 300;
  const SHADE = { degraded: 'rgba(245, 158, 11, 0.22)', down: 'rgba(220, 38, 38, 0.25)' };

  const fromZero = (_u, _min, max) => [0, Math.max(10, (max ?? 0) * 1.1)];

  function columns(points) {
    return [
      points.map((p) => p.t / 1000),
      points.map((p) => p.requests),
      points.map((p) => p.p99Ms),
      points.map((p) => p.errors),
    ];
  }

  // Paints the seconds not served by the primary backend behind the lines.
  function shade(points) {
    return (u) => {
      const { ctx, bbox } = u;
      for (const p of points) {
        const colour = SHADE[p.status];
        if (colour === undefined) continue;
        const x0 = u.valToPos(p.t / 1000 - 1, 'x', true);
        const x1 = u.valToPos(p.t / 1000, 'x', true);
        ctx.fillStyle = colour;
        ctx.fillRect(x0, bbox.top, Math.max(1, x1 - x0), bbox.height);
      }
    };
  }

  function create(target, initial, width) {
    let points = initial.slice(-KEPT);
    const plot = new uPlot(
      {
        width,
        height: 320,
        // Both value axes start at zero, so a rise is never exaggerated.
        scales: { x: { time: true }, rate: { range: fromZero }, ms: { range: fromZero } },
        series: [
          {},
          { label: 'requests/s', scale: 'rate', stroke: '#2563eb', width: 2 },
          { label: 'p99 ms', scale: 'ms', stroke: '#d97706', width: 1.5 },
          { label: 'server errors/s', scale: 'rate', stroke: '#dc2626', width: 2 },
        ],
        axes: [
          {
            // Whole seconds, labelled as clock time.
            space: 70,
            incrs: [1, 5, 10, 15, 30, 60, 120, 300],
            values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString()),
          },
          { scale: 'rate', label: 'requests/s' },
          { scale: 'ms', side: 1, label: 'p99 ms', grid: { show: false } },
        ],
        hooks: { drawClear: [(u) => shade(points)(u)] },
      },
      columns(points),
      target,
    );
    return {
      reset(next) {
        points = next.slice(-KEPT);
        plot.setData(columns(points));
      },
      push(point) {
        points.push(point);
        if (points.length > KEPT) points.shift();
        plot.setData(columns(points));
      },
      resize(nextWidth) {
        plot.setSize({ width: nextWidth, height: 320 });
      },
    };
  }

  window.StatusChart = { create };
})();

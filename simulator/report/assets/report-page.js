// Draws the charts of report.html from the report embedded in the page. Plain
// browser script, inlined into the page with uPlot so the file opens offline.
;(() => {
  const report = JSON.parse(document.getElementById('report-data').textContent)
  const series = report.timeseries
  const SPAN_COLOURS = {
    cut: 'rgba(220, 38, 38, 0.16)',
    partition: 'rgba(220, 38, 38, 0.16)',
    degrade: 'rgba(234, 140, 0, 0.16)',
    powerLoss: 'rgba(124, 58, 237, 0.18)',
  }
  const LINE_COLOURS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2']

  // Shades the time each fault held behind the plotted lines.
  const faultShading = {
    hooks: {
      drawClear: [
        (u) => {
          const { ctx, bbox } = u
          ctx.save()
          for (const span of series.faultSpans) {
            const x0 = u.valToPos(span.from, 'x', true)
            const x1 = u.valToPos(span.to, 'x', true)
            const left = Math.max(bbox.left, Math.min(x0, x1))
            const right = Math.min(bbox.left + bbox.width, Math.max(x0, x1))
            if (right <= left) continue
            ctx.fillStyle = SPAN_COLOURS[span.kind] ?? 'rgba(100, 100, 100, 0.15)'
            ctx.fillRect(left, bbox.top, Math.max(1, right - left), bbox.height)
          }
          ctx.restore()
        },
      ],
    },
  }

  function chart(id, title, yLabel, data, names) {
    const target = document.getElementById(id)
    const width = Math.max(320, target.clientWidth || 900)
    const opts = {
      title,
      width,
      height: 240,
      plugins: [faultShading],
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since start' }, { label: yLabel }],
      series: [
        { label: 'second' },
        ...names.map((name, i) => ({
          label: name,
          stroke: LINE_COLOURS[i % LINE_COLOURS.length],
          width: 1.5,
          spanGaps: true,
        })),
      ],
    }
    return new uPlot(opts, data, target)
  }

  chart(
    'chart-deliveries',
    'Messages per second',
    'messages',
    [series.seconds, series.sent, series.delivered],
    ['sent', 'delivered'],
  )
  chart(
    'chart-latency',
    'Latency of messages delivered each second',
    'seconds',
    [series.seconds, series.latencyP50, series.latencyMax],
    ['p50', 'max'],
  )
  const backlogTarget = document.getElementById('chart-backlog')
  if (series.backlog.length === 0) {
    backlogTarget.textContent = 'No backlog samples were recorded.'
  } else {
    const joined = uPlot.join(series.backlog.map((s) => [s.at, s.backlog]))
    chart(
      'chart-backlog',
      'Backlog per gateway',
      'messages held',
      joined,
      series.backlog.map((s) => s.node),
    )
  }
  document.body.dataset.chartsReady = 'true'
})()

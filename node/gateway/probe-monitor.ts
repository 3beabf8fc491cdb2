import type { Config } from '../config/schema.ts'
import { LinkMonitor } from '../link/monitor.ts'
import type { ProbeMonitor } from '../overlay/links.ts'

/** A link monitor for one neighbour, probing over the control stream the link manager owns. */
export function createProbeMonitor(
  settings: Config['link'],
  _peer: string,
  send: (seq: number) => void,
  onChange: () => void,
): ProbeMonitor {
  const monitor = new LinkMonitor({
    probeIntervalMs: settings.probeInterval,
    downAfterMs: settings.downAfter,
    send: (probe) => send(probe.seq),
  })
  monitor.addEventListener('state', () => onChange())
  monitor.start()
  return {
    get up() {
      return monitor.state === 'up'
    },
    onProbeAck: (seq) => monitor.onProbeAck(seq),
    onActivity: () => monitor.onActivity(),
    onTraffic: (bytes) => monitor.onTraffic(bytes),
    stats: () => {
      const s = monitor.stats()
      return { rttMs: s.rttMs, loss: s.loss, throughputBps: s.throughputBytesPerSecond * 8 }
    },
    stop: () => monitor.stop(),
  }
}

import { describe, expect, it } from 'vitest'

import type { Traffic, TrafficStats } from './serviceApi'
import { parseUtc, trafficCharts } from './traffic'

const empty: TrafficStats = {
  requests: 0, errors: 0, requests_per_second: 0, latency_ms_mean: null,
  latency_ms_p50: null, latency_ms_p95: null, latency_ms_p99: null,
}

describe('parseUtc', () => {
  it('reads zoned and zone-less times as the same UTC instant', () => {
    const instant = Date.UTC(2025, 0, 1, 12, 0, 10)
    expect(parseUtc('2025-01-01T12:00:10Z')).toBe(instant)
    expect(parseUtc('2025-01-01T12:00:10+00:00')).toBe(instant)
    expect(parseUtc('2025-01-01T12:00:10')).toBe(instant)
    expect(parseUtc('2025-01-01T14:00:10+02:00')).toBe(instant)
  })
})

describe('trafficCharts', () => {
  const traffic: Traffic = {
    window: 'minute', start: '2025-01-01T12:00:00Z', end: '2025-01-01T12:01:00Z', summary: empty,
    series: [
      { ...empty, t: '2025-01-01T12:00:00Z', requests: 10, errors: 1, latency_ms_p50: 2, latency_ms_p95: 5, latency_ms_p99: 7.5 },
      { ...empty, t: '2025-01-01T12:00:10Z' },
    ],
  }
  const names = { requests: 'Requests', errors: 'Errors', p50: 'p50', p95: 'p95', p99: 'p99' }

  it('plots counts at every interval and latency only where requests were served', () => {
    const { counts, latency } = trafficCharts(traffic, names)
    expect(counts.map((s) => s.name)).toEqual(['Requests', 'Errors'])
    expect(counts[0].points.map((p) => p.y)).toEqual([10, 0])
    expect(counts[1].points.map((p) => p.y)).toEqual([1, 0])
    expect(latency.map((s) => s.points.map((p) => p.y))).toEqual([[2, null], [5, null], [7.5, null]])
    expect(counts[0].points[1].x - counts[0].points[0].x).toBe(10_000)
  })
})

/** The metrics endpoint's time series as chart lines. */
import type { Series } from '../../components/charts/scales'
import type { Traffic, TrafficStats } from './serviceApi'

/** Epoch ms of an API time; times without a zone are UTC (the platform stores UTC). */
export function parseUtc(time: string): number {
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(time) ? time : `${time}Z`)
}

export type SeriesNames = Record<'requests' | 'errors' | 'p50' | 'p95' | 'p99', string>

const COLORS = {
  requests: 'rgb(var(--arcoblue-6))',
  errors: 'rgb(var(--red-6))',
  p50: 'rgb(var(--green-6))',
  p95: 'rgb(var(--orange-6))',
  p99: 'rgb(var(--purple-6))',
}

function line(traffic: Traffic, key: keyof TrafficStats, name: string, color: string): Series {
  return { name, color, points: traffic.series.map((p) => ({ x: parseUtc(p.t), y: p[key] ?? null })) }
}

/** Requests and errors per interval; latency percentiles (gaps where there were no requests). */
export function trafficCharts(traffic: Traffic, names: SeriesNames): { counts: Series[]; latency: Series[] } {
  return {
    counts: [
      line(traffic, 'requests', names.requests, COLORS.requests),
      line(traffic, 'errors', names.errors, COLORS.errors),
    ],
    latency: [
      line(traffic, 'latency_ms_p50', names.p50, COLORS.p50),
      line(traffic, 'latency_ms_p95', names.p95, COLORS.p95),
      line(traffic, 'latency_ms_p99', names.p99, COLORS.p99),
    ],
  }
}

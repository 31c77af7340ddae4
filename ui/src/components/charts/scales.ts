/** Scales, ticks and paths for the SVG line chart (no chart library). */

export interface Point {
  x: number
  /** null leaves a gap in the line. */
  y: number | null
}

export interface Series {
  name: string
  points: Point[]
  color?: string
}

export type Scale = (value: number) => number

/** Maps ``domain`` linearly onto ``range``; a zero-width domain maps to the middle of the range. */
export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2
  const k = (r1 - r0) / (d1 - d0)
  return (value) => r0 + (value - d0) * k
}

/** A step of 1, 2, 2.5 or 5 times a power of ten near ``span / count``. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  const factor = [1, 2, 2.5, 5, 10].find((f) => f * power >= raw) ?? 10
  return factor * power
}

/** About ``count`` round values covering [min, max], starting at or below min and ending at or above max. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) {
    if (min === 0) return [0, 1]
    const pad = Math.abs(min) / 2
    return niceTicks(min - pad, max + pad, count)
  }
  const step = niceStep(max - min, count)
  const start = Math.floor(min / step) * step
  const ticks: number[] = []
  for (let value = start; value < max + step * 0.999; value += step) {
    ticks.push(Number(value.toPrecision(12)))
  }
  return ticks
}

const SECOND = 1000
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map(
  (s) => s * SECOND,
)

/** Tick times (epoch ms) on round clock steps inside [min, max], about ``count`` of them. */
export function timeTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return Number.isFinite(min) ? [min] : []
  const raw = (max - min) / Math.max(1, count)
  const step = TIME_STEPS.find((s) => s >= raw) ?? TIME_STEPS[TIME_STEPS.length - 1]
  const ticks: number[] = []
  for (let value = Math.ceil(min / step) * step; value <= max; value += step) ticks.push(value)
  return ticks
}

/** The y domain of every series, from zero (charts of counts and latencies start at 0). */
export function yExtent(series: Series[]): [number, number] {
  const values = series.flatMap((s) => s.points.map((p) => p.y)).filter((y): y is number => y !== null && Number.isFinite(y))
  const top = values.length ? Math.max(0, ...values) : 0
  return [Math.min(0, ...values), top]
}

/** The x domain of every series. */
export function xExtent(series: Series[]): [number, number] {
  const xs = series.flatMap((s) => s.points.map((p) => p.x))
  return xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1]
}

/** An SVG path through the points; a null or infinite y ends the segment (a gap). */
export function linePath(points: Point[], x: Scale, y: Scale): string {
  const parts: string[] = []
  let drawing = false
  for (const point of points) {
    if (point.y === null || !Number.isFinite(point.y)) {
      drawing = false
      continue
    }
    parts.push(`${drawing ? 'L' : 'M'}${round(x(point.x))},${round(y(point.y))}`)
    drawing = true
  }
  return parts.join('')
}

/** Index of the x value closest to ``target`` (xs sorted ascending); -1 when empty. */
export function nearestIndex(xs: number[], target: number): number {
  if (!xs.length) return -1
  let best = 0
  for (let i = 1; i < xs.length; i += 1) {
    if (Math.abs(xs[i] - target) < Math.abs(xs[best] - target)) best = i
  }
  return best
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

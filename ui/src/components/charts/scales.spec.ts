import { describe, expect, it } from 'vitest'

import { linePath, linearScale, nearestIndex, niceTicks, timeTicks, xExtent, yExtent } from './scales'

describe('linearScale', () => {
  it('maps the domain onto the range, inverted ranges included', () => {
    const y = linearScale([0, 100], [200, 0])
    expect([y(0), y(50), y(100)]).toEqual([200, 100, 0])
  })
  it('puts every value in the middle of a zero-width domain', () => {
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5)
  })
})

describe('niceTicks', () => {
  it('covers the values with round, evenly spaced steps', () => {
    const ticks = niceTicks(0, 93, 5)
    expect(ticks[0]).toBeLessThanOrEqual(0)
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(93)
    const steps = new Set(ticks.slice(1).map((t, i) => t - ticks[i]))
    expect(steps.size).toBe(1)
    expect([1, 2, 2.5, 5]).toContain([...steps][0] / 10 ** Math.floor(Math.log10([...steps][0])))
  })
  it('handles fractions without floating-point noise', () => {
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3])
  })
  it('gives a usable axis for a flat or empty series', () => {
    expect(niceTicks(0, 0)).toEqual([0, 1])
    expect(niceTicks(10, 10).length).toBeGreaterThan(1)
    expect(niceTicks(NaN, 1)).toEqual([])
  })
})

describe('timeTicks', () => {
  it('picks round clock steps inside the window', () => {
    const start = Date.UTC(2025, 0, 1, 12, 0, 3)
    const ticks = timeTicks(start, start + 60_000, 6)
    expect(ticks.every((t) => t >= start && t <= start + 60_000)).toBe(true)
    expect(ticks.every((t) => t % 10_000 === 0)).toBe(true)
    expect(ticks.length).toBeGreaterThanOrEqual(5)
  })
  it('uses minutes for an hour', () => {
    const start = Date.UTC(2025, 0, 1, 12, 0, 0)
    const ticks = timeTicks(start, start + 3_600_000, 6)
    expect(ticks[1] - ticks[0]).toBe(600_000)
  })
})

describe('extents', () => {
  const series = [
    { name: 'a', points: [{ x: 1, y: 3 }, { x: 2, y: null }] },
    { name: 'b', points: [{ x: 0, y: 7 }, { x: 5, y: Infinity }] },
  ]
  it('start y at zero and ignore gaps and infinities', () => {
    expect(yExtent(series)).toEqual([0, 7])
    expect(yExtent([])).toEqual([0, 0])
  })
  it('span every x', () => {
    expect(xExtent(series)).toEqual([0, 5])
  })
})

describe('linePath', () => {
  const identity = (v: number) => v
  it('draws through the points and breaks at gaps', () => {
    const path = linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 4 }], identity, identity)
    expect(path).toBe('M0,1L1,2M3,4')
  })
  it('is empty without values', () => {
    expect(linePath([{ x: 0, y: null }], identity, identity)).toBe('')
  })
})

describe('nearestIndex', () => {
  it('finds the closest x', () => {
    expect(nearestIndex([0, 10, 20], 14)).toBe(1)
    expect(nearestIndex([0, 10, 20], 99)).toBe(2)
    expect(nearestIndex([], 1)).toBe(-1)
  })
})

import { describe, expect, it } from 'vitest'

import { formatBytes, formatDuration, formatNumber } from './format'

describe('format', () => {
  it('sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB')
    expect(formatBytes(null)).toBe('—')
  })
  it('durations', () => {
    expect(formatDuration(2.345)).toBe('2.3 s')
    expect(formatDuration(125)).toBe('2 min 5 s')
    expect(formatDuration(3 * 3600 + 120)).toBe('3 h 2 min')
  })
  it('numbers', () => {
    expect(formatNumber(1234567)).toBe('1,234,567')
    expect(formatNumber(0.123456)).toBe('0.1235')
  })
})

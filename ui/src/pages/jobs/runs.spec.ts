import { describe, expect, it } from 'vitest'

import { FAST_REFRESH_MS, SLOW_REFRESH_MS, progressPercent, refreshDelay, runActions } from './runs'

describe('runActions', () => {
  it('offers pause and stop while a model run is pending or running', () => {
    expect(runActions('pending', 'predict')).toEqual(['pause', 'stop'])
    expect(runActions('running', 'evaluate')).toEqual(['pause', 'stop'])
  })
  it('never offers pause to script runs', () => {
    expect(runActions('running', 'script')).toEqual(['stop'])
  })
  it('offers continue for a paused run and nothing once it ended', () => {
    expect(runActions('paused', 'predict')).toEqual(['continue', 'stop'])
    expect(runActions('pausing', 'predict')).toEqual(['stop'])
    for (const status of ['stopping', 'stopped', 'succeeded', 'failed']) expect(runActions(status, 'predict')).toEqual([])
  })
})

describe('refreshDelay', () => {
  it('polls fast while a run can change by itself', () => {
    expect(refreshDelay([{ status: 'succeeded' }, { status: 'running' }])).toBe(FAST_REFRESH_MS)
    expect(refreshDelay([{ status: 'stopping' }])).toBe(FAST_REFRESH_MS)
  })
  it('polls slowly when every run is settled', () => {
    expect(refreshDelay([])).toBe(SLOW_REFRESH_MS)
    expect(refreshDelay([{ status: 'paused' }, { status: 'failed' }])).toBe(SLOW_REFRESH_MS)
  })
})

describe('progressPercent', () => {
  it('rounds to whole percent and knows when the total is unknown', () => {
    expect(progressPercent({ progress: 0.126 })).toBe(13)
    expect(progressPercent({ progress: null })).toBeNull()
  })
})

/** What can be done with a run in each status, and how often its page refreshes. */
import type { RunInfo } from '../../api/types'

/** Statuses that change by themselves: the page polls fast while a run is in one. */
const MOVING = ['pending', 'running', 'pausing', 'stopping']

export const FAST_REFRESH_MS = 3000
export const SLOW_REFRESH_MS = 15000

export function isMoving(status: string): boolean {
  return MOVING.includes(status)
}

export function refreshDelay(runs: Array<Pick<RunInfo, 'status'>>): number {
  return runs.some((run) => isMoving(run.status)) ? FAST_REFRESH_MS : SLOW_REFRESH_MS
}

export type RunAction = 'pause' | 'continue' | 'stop'

/** The controls a run offers (script runs cannot pause). */
export function runActions(status: string, kind: string | null | undefined): RunAction[] {
  const pausable = kind !== 'script'
  switch (status) {
    case 'pending':
    case 'running':
      return pausable ? ['pause', 'stop'] : ['stop']
    case 'pausing':
      return ['stop']
    case 'paused':
      return ['continue', 'stop']
    default:
      return []
  }
}

/** Whole percent done, or null when the total is not known yet. */
export function progressPercent(run: Pick<RunInfo, 'progress'>): number | null {
  return run.progress === null || run.progress === undefined ? null : Math.round(run.progress * 100)
}

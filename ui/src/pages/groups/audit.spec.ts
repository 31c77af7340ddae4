import { describe, expect, it } from 'vitest'

import { AUDIT_ACTIONS, AUDIT_KINDS, detailPairs, pageRange } from './audit'
import en from '../../i18n/en/groups'

describe('detailPairs', () => {
  it('shows every recorded detail, objects as JSON and nulls as a dash', () => {
    expect(detailPairs({ user: 'bob', permission: 'read', previous: null, replicas: { from: 1, to: 2 } })).toEqual([
      { key: 'user', value: 'bob' },
      { key: 'permission', value: 'read' },
      { key: 'previous', value: '—' },
      { key: 'replicas', value: '{"from":1,"to":2}' },
    ])
  })
})

describe('pageRange', () => {
  it('counts from one and expects older entries only after a full page', () => {
    expect(pageRange(0, 50, 50)).toEqual({ from: 1, to: 50, older: true })
    expect(pageRange(50, 7, 50)).toEqual({ from: 51, to: 57, older: false })
    expect(pageRange(0, 0, 50)).toEqual({ from: 0, to: 0, older: false })
  })
})

describe('audit filters', () => {
  it('have a label for every kind and action offered', () => {
    for (const kind of AUDIT_KINDS) expect(en.audit.kinds[kind], kind).toBeTruthy()
    for (const action of AUDIT_ACTIONS) expect(en.audit.actions[action], action).toBeTruthy()
  })
})

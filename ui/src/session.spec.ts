import { beforeEach, describe, expect, it, vi } from 'vitest'

describe('session', () => {
  beforeEach(() => {
    localStorage.clear()
    sessionStorage.clear()
    vi.resetModules()
  })

  it('survives a reload while signed in', async () => {
    ;(await import('./session')).signedIn('secret', 'ann')
    vi.resetModules()
    const { session } = await import('./session')
    expect([session.token, session.name]).toEqual(['secret', 'ann'])
  })

  it('remembers the chosen group per user, across reloads and sign-ins', async () => {
    const first = await import('./session')
    first.signedIn('secret', 'ann')
    expect(first.session.group).toBeNull()
    first.chooseGroup('team-a')
    vi.resetModules()
    const second = await import('./session')
    expect(second.session.group).toBe('team-a')
    second.signOut()
    expect(second.session.group).toBeNull()
    second.signedIn('other', 'bob')
    expect(second.session.group).toBeNull()
    second.signedIn('again', 'ann')
    expect(second.session.group).toBe('team-a')
  })

  it('still says why the session ended after a reload, until the next sign-in', async () => {
    const first = await import('./session')
    first.signedIn('secret', 'ann')
    first.signOut('expired')
    vi.resetModules()
    const second = await import('./session')
    expect([second.session.token, second.session.endedBecause]).toEqual([null, 'expired'])
    second.signedIn('other', 'bob')
    vi.resetModules()
    expect((await import('./session')).session.endedBecause).toBeNull()
  })

  it('a plain sign-out gives no reason', async () => {
    const first = await import('./session')
    first.signedIn('secret', 'ann')
    first.signOut()
    vi.resetModules()
    expect((await import('./session')).session.endedBecause).toBeNull()
  })
})

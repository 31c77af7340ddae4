import { beforeEach, describe, expect, it, vi } from 'vitest'

describe('session', () => {
  beforeEach(() => {
    localStorage.clear()
    sessionStorage.clear()
    vi.resetModules()
  })

  it('ranks roles', async () => {
    const { can, signedIn } = await import('./session')
    signedIn('t', 'ann', 'editor')
    expect([can('viewer'), can('editor'), can('admin')]).toEqual([true, true, false])
  })

  it('survives a reload while signed in', async () => {
    ;(await import('./session')).signedIn('secret', 'ann', 'viewer')
    vi.resetModules()
    const { session } = await import('./session')
    expect([session.token, session.role]).toEqual(['secret', 'viewer'])
  })

  it('still says why the session ended after a reload, until the next sign-in', async () => {
    const first = await import('./session')
    first.signedIn('secret', 'ann', 'admin')
    first.signOut('expired')
    vi.resetModules()
    const second = await import('./session')
    expect([second.session.token, second.session.endedBecause]).toEqual([null, 'expired'])
    second.signedIn('other', 'bob', 'admin')
    vi.resetModules()
    expect((await import('./session')).session.endedBecause).toBeNull()
  })

  it('a plain sign-out gives no reason', async () => {
    const first = await import('./session')
    first.signedIn('secret', 'ann', 'admin')
    first.signOut()
    vi.resetModules()
    expect((await import('./session')).session.endedBecause).toBeNull()
  })
})

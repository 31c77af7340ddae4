import { beforeEach, describe, expect, it } from 'vitest'

import { access, settledGroup, type Me, type PermissionTable } from '../access'
import { session } from '../session'
import { allows, can, permissionIn, usePermission, type Action } from './usePermission'

/** The platform's table as `GET /api/v1/permissions` answers it (daas/platform/access/policy.py). */
const TABLE: PermissionTable = {
  permissions: ['read', 'change', 'manage'],
  rules: {
    read: { own: 'read', other: 'read' },
    create: { own: 'change', other: 'change' },
    change: { own: 'change', other: 'change' },
    stop: { own: 'change', other: 'manage' },
    delete: { own: 'change', other: 'manage' },
    manage: { own: 'manage', other: 'manage' },
  },
}

function me(groups: Me['groups'], extra: Partial<Me> = {}): Me {
  return { name: 'bob', display_name: null, token: 't', platform_admin: false, code_execution: false, default_group: 'bob', groups, ...extra }
}

function signIn(user: Me): void {
  Object.assign(access, { me: user, groups: user.groups, table: TABLE })
  session.name = user.name
  session.group = 'team-a'
}

describe('allows', () => {
  // What the issue asks: read sees; change also creates, changes, and stops or deletes its own
  // objects; manage does everything to anyone's.
  const expected: Record<string, Record<Action, [own: boolean, other: boolean]>> = {
    read: { read: [true, true], create: [false, false], change: [false, false], stop: [false, false], delete: [false, false], manage: [false, false] },
    change: { read: [true, true], create: [true, true], change: [true, true], stop: [true, false], delete: [true, false], manage: [false, false] },
    manage: { read: [true, true], create: [true, true], change: [true, true], stop: [true, true], delete: [true, true], manage: [true, true] },
  }

  for (const [held, actions] of Object.entries(expected)) {
    for (const [action, [own, other]] of Object.entries(actions)) {
      it(`${held} may ${action}: own ${own}, other's ${other}`, () => {
        const permission = held as 'read' | 'change' | 'manage'
        expect(allows(TABLE, permission, action as Action, true)).toBe(own)
        expect(allows(TABLE, permission, action as Action, false)).toBe(other)
      })
    }
  }

  it('allows nothing without a permission or before the table has loaded', () => {
    expect(allows(TABLE, null, 'read', true)).toBe(false)
    expect(allows(null, 'manage', 'read', true)).toBe(false)
  })
})

describe('can', () => {
  beforeEach(() => signIn(me([
    { name: 'bob', permission: 'manage', personal: true },
    { name: 'team-a', permission: 'read', personal: false },
    { name: 'team-b', permission: 'change', personal: false },
  ])))

  it('reads the permission of the current group, or of the group named', () => {
    expect(permissionIn()).toBe('read')
    expect(permissionIn('team-b')).toBe('change')
    expect(permissionIn('elsewhere')).toBeNull()
    expect(usePermission().permission.value).toBe('read')
  })

  it('hides deploy and delete from a read member', () => {
    expect([can('read'), can('create'), can('delete', 'bob'), can('delete', 'ann')]).toEqual([true, false, false, false])
  })

  it('lets a change member delete only what they created', () => {
    session.group = 'team-b'
    expect([can('create'), can('delete', 'bob'), can('delete', 'ann'), can('delete'), can('stop', 'ann')]).toEqual([true, true, false, false, false])
    expect(can('delete', 'bob', 'team-a')).toBe(false)
  })

  it('lets a manager and a platform admin do everything', () => {
    expect([can('delete', 'ann', 'bob'), can('manage', null, 'bob')]).toEqual([true, true])
    access.me = me([], { platform_admin: true })
    expect([can('delete', 'ann', 'anywhere'), can('manage')]).toEqual([true, true])
  })

  it('allows nothing once signed out', () => {
    Object.assign(access, { me: null, groups: [], table: null })
    expect(can('read')).toBe(false)
  })
})

describe('settledGroup', () => {
  const groups = [{ name: 'bob', permission: 'manage' as const, personal: true }, { name: 'team-a', permission: 'read' as const, personal: false }]

  it('keeps the remembered group while the user belongs to it, else falls back to the default group', () => {
    expect(settledGroup('team-a', me(groups), groups)).toBe('team-a')
    expect(settledGroup('gone', me(groups), groups)).toBe('bob')
    expect(settledGroup(null, me(groups), groups)).toBe('bob')
    expect(settledGroup(null, me(groups, { default_group: null }), groups)).toBe('bob')
  })
})

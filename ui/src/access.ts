/**
 * What the signed-in user may do: who they are and their groups (`/api/v1/auth/me`), and what
 * each action needs (`/api/v1/permissions`). Loaded once the layout shows, again after a
 * change to groups; `composables/usePermission` answers questions from it.
 */
import { reactive } from 'vue'

import { api, unwrap } from './api/client'
import type { components } from './api/schema'
import { chooseGroup, onSignOut, session } from './session'

type Schemas = components['schemas']
export type Me = Schemas['Me']
export type Permission = Schemas['Membership']['permission']
export type PermissionTable = Schemas['PermissionTable']

/** A group the switcher offers, with the caller's permission in it. */
export interface GroupChoice {
  name: string
  permission: Permission | null
  personal: boolean
}

interface Access {
  me: Me | null
  groups: GroupChoice[]
  table: PermissionTable | null
}

export const access = reactive<Access>({ me: null, groups: [], table: null })

onSignOut(() => Object.assign(access, { me: null, groups: [], table: null }))

/** The group to work in: the remembered one while the user still belongs to it, else their default. */
export function settledGroup(current: string | null, me: Me, groups: GroupChoice[]): string | null {
  const names = groups.map((group) => group.name)
  if (current && names.includes(current)) return current
  if (me.default_group && names.includes(me.default_group)) return me.default_group
  return me.default_group ?? names[0] ?? null
}

/** Fetch the caller and the permission table, and settle the current group. */
export async function loadAccess(): Promise<void> {
  const [me, table] = await Promise.all([unwrap(api.GET('/api/v1/auth/me')), unwrap(api.GET('/api/v1/permissions'))])
  // Platform admins manage every group, not only those they are a member of.
  const groups: GroupChoice[] = me.platform_admin
    ? (await unwrap(api.GET('/api/v1/groups'))).map(({ name, permission, personal }) => ({ name, permission, personal }))
    : me.groups
  Object.assign(access, { me, groups, table })
  const group = settledGroup(session.group, me, groups)
  if (group && group !== session.group) chooseGroup(group)
}

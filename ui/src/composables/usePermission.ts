/**
 * Which buttons to show: the caller's permission in a group checked against the platform's
 * rules (`GET /api/v1/permissions`), the same table the API enforces. An object's owner is its
 * `created_by`; "own" objects may need less (a change member deletes their own services only).
 */
import { computed } from 'vue'

import { access, type Permission, type PermissionTable } from '../access'
import { session } from '../session'

export type Action = 'read' | 'create' | 'change' | 'stop' | 'delete' | 'manage'

/** Whether ``held`` allows ``action`` on an object the caller created (``own``) or someone else's. */
export function allows(table: PermissionTable | null, held: Permission | null | undefined, action: Action, own: boolean): boolean {
  const rule = table?.rules[action]
  if (!table || !rule || !held) return false
  const order = table.permissions
  return order.indexOf(held) >= order.indexOf(own ? rule.own : rule.other)
}

/** The caller's permission in ``group`` (default: the current group). */
export function permissionIn(group: string | null = session.group): Permission | null {
  if (access.me?.platform_admin) return 'manage'
  return access.groups.find((entry) => entry.name === group)?.permission ?? null
}

/**
 * Whether the caller may do ``action`` to an object of ``group`` (default: the current one)
 * created by ``owner``; without an owner the object counts as someone else's.
 */
export function can(action: Action, owner?: string | null, group?: string | null): boolean {
  const own = owner != null && owner === access.me?.name
  return allows(access.table, permissionIn(group ?? session.group), action, own)
}

/** ``can`` for templates, and the caller's permission in the current group. */
export function usePermission() {
  return { can, permission: computed(() => permissionIn()) }
}

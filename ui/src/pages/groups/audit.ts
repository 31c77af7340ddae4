/** The audit log as the group page shows it: the filters it offers, detail text and paging. */
import type { components, operations } from '../../api/schema'

export type AuditEntry = components['schemas']['AuditEntry']
type AuditQuery = NonNullable<operations['group_audit_api_v1_groups__group__audit_get']['parameters']['query']>
export type AuditKind = NonNullable<AuditQuery['kind']>
export type AuditAction = NonNullable<AuditQuery['action']>

/** The kinds of object a group's log names (users and tokens live in the platform's log). */
export const AUDIT_KINDS: AuditKind[] = ['model', 'service', 'dataset', 'job', 'run', 'group']

export const AUDIT_ACTIONS: AuditAction[] = [
  'create', 'upload', 'deploy', 'update', 'scale', 'rollback', 'pause', 'resume', 'delete', 'restart',
  'rotate_key', 'run', 'stop', 'share', 'unshare', 'rename',
]

/** Entries per page. */
export const PAGE_SIZE = 50

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** An entry's details as `key: value` pairs, in the order the platform recorded them. */
export function detailPairs(details: Record<string, unknown>): Array<{ key: string; value: string }> {
  return Object.entries(details).map(([key, value]) => ({ key, value: shown(value) }))
}

/** Which entries a page holds (1-based, for "entries 51–100") and whether older ones may follow. */
export function pageRange(offset: number, received: number, limit = PAGE_SIZE): { from: number; to: number; older: boolean } {
  return { from: received ? offset + 1 : 0, to: offset + received, older: received === limit }
}

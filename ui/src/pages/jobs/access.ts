/**
 * What the signed-in user may do with jobs of the current group: script jobs run their own code, so creating,
 * changing, running them and reading their source need the code-execution permission
 * (GET /api/v1/job-kinds says who holds it), and a job hides what the caller may not see.
 */
import { api, unwrap } from '../../api/client'
import type { components } from '../../api/schema'

/** One entry of GET /api/v1/job-kinds: what a kind needs in the current group, and whether the caller holds it. */
export type KindAccess = components['schemas']['JobKindAccess']

/** The value every stored environment variable shows in responses. */
export const MASK = '***'

export async function loadKindAccess(): Promise<KindAccess[]> {
  return unwrap(api.GET('/api/v1/job-kinds'))
}

/** Whether the caller may create, change and run jobs of ``kind``; unknown code-running kinds: no. */
export function kindAllowed(access: KindAccess[] | null, kind: string): boolean {
  const entry = access?.find((item) => item.kind === kind)
  return entry ? entry.allowed : kind !== 'script'
}

/** The entry of ``kind``, for messages naming the role and setting it needs. */
export function kindEntry(access: KindAccess[] | null, kind: string): KindAccess | undefined {
  return access?.find((item) => item.kind === kind)
}

/** Config fields a job response left out for this caller (a script's ``source``). */
export function withheld(job: object): string[] {
  const fields = (job as { withheld?: unknown }).withheld
  return Array.isArray(fields) ? fields.map(String) : []
}

/** Parameters of the messages explaining the code-execution grant of ``entry``'s kind. */
export function codeMessage(entry: KindAccess): { role: string; setting: string } {
  return { role: entry.code_execution_role ?? 'admin', setting: entry.setting ?? 'DAAS_CODE_EXECUTION_ROLE' }
}

/**
 * What the signed-in token may do with jobs: script jobs run their own code, so creating,
 * changing, running them and reading their source need the code-execution permission
 * (GET /api/v1/job-kinds says who holds it), and a job hides what the caller may not see.
 */
import { request } from '../../api/client'
import type { JobKind } from './jobForm'

/** One entry of GET /api/v1/job-kinds. */
export interface KindAccess {
  kind: JobKind
  runs_code: boolean
  /** The least role that may create, change or run such a job. */
  role: string
  allowed: boolean
  /** The platform setting that moves ``role`` (code-running kinds). */
  setting?: string | null
}

/** The value every stored environment variable shows in responses. */
export const MASK = '***'

export async function loadKindAccess(): Promise<KindAccess[]> {
  return (await request('/api/v1/job-kinds')).json()
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

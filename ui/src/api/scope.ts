/**
 * Which calls carry the current group: every route of models, datasets and jobs (names are
 * unique per group), and listing or deploying services (a service name is platform-unique,
 * so its own routes need no group).
 */
const SCOPED = [/^\/api\/v1\/(models|datasets|jobs|job-kinds)(\/|$)/, /^\/api\/v1\/services\/?$/]

/** Stands in for the page's origin while a relative URL is parsed. */
const RELATIVE = 'http://relative.invalid'

/** Whether a call to ``path`` (no query string) takes the `group` parameter. */
export function takesGroup(path: string): boolean {
  return SCOPED.some((pattern) => pattern.test(path))
}

/** ``url`` with `group=<group>` added when the route takes it and the call did not name one. */
export function scopedUrl(url: string, group: string | null): string {
  if (!group) return url
  const parsed = new URL(url, RELATIVE)
  if (!takesGroup(parsed.pathname) || parsed.searchParams.has('group')) return url
  parsed.searchParams.set('group', group)
  return parsed.origin === RELATIVE ? parsed.pathname + parsed.search + parsed.hash : parsed.toString()
}

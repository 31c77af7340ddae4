/** Time zones and firing times as a schedule's reader expects them. */

/** IANA zones the browser knows, UTC first. */
export function timeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...known.filter((zone) => zone !== 'UTC')]
}

/** The browser's own zone (UTC when it cannot tell). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** An instant on the wall clock of ``zone``: "Mon, 23 Nov 2026, 06:00". */
export function formatInZone(instant: string, zone: string, locale: string): string {
  const date = new Date(instant)
  if (Number.isNaN(date.getTime())) return instant
  return date.toLocaleString(locale, {
    timeZone: zone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  })
}

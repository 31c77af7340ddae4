/**
 * Five-field cron expressions in plain English or Chinese, worded by cronstrue.
 *
 * The platform (daas/platform/jobs/cron.py) validates schedules and computes their next times;
 * here an expression outside its grammar — five fields of `*`, numbers, names, ranges, steps
 * and lists, or an `@hourly`-style shorthand — has no description, so cronstrue's extensions
 * (seconds, years, `L`, `#`, `?`, `@reboot`) are never described as if they would run.
 */
import cronstrue from 'cronstrue'
import 'cronstrue/locales/zh_CN'

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
}
/** One list item: `*`, a number or name, or a range, then an optional step. */
const ITEM = /^(\*|(\d+|[a-z]{3})(-(\d+|[a-z]{3}))?)(\/\d+)?$/i

/** The five fields of a classic cron expression, shorthands expanded; null for anything else. */
export function parseCron(expression: string): string[] | null {
  const trimmed = (expression ?? '').trim()
  const fields = (SHORTHANDS[trimmed.toLowerCase()] ?? trimmed).split(/\s+/)
  const classic = fields.length === 5 && fields.every((field) => field.split(',').every((item) => ITEM.test(item)))
  return classic ? fields : null
}

/** A sentence saying when the expression fires, in the UI's language; null when it does not parse. */
export function describeCron(expression: string, language: string): string | null {
  const fields = parseCron(expression)
  if (!fields) return null
  try {
    return cronstrue.toString(fields.join(' '), {
      locale: language.toLowerCase().startsWith('zh') ? 'zh_CN' : 'en',
      use24HourTimeFormat: true,
      // Vixie cron: a day field starting with `*` does not count, so the other one alone decides.
      logicalAndDayFields: fields[2].startsWith('*') || fields[4].startsWith('*'),
    })
  } catch {
    return null // out-of-range values and zero steps
  }
}

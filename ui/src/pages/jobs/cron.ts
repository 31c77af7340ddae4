/**
 * Five-field cron expressions in plain English or Chinese.
 *
 * The grammar is the platform's (daas/platform/batch_jobs/cron.py): minute, hour, day of
 * month, month, day of week; `*`, numbers, `a-b`, `*\/n`, `a-b/n`, `a/n`, lists, English
 * month and weekday names, Sunday as 0 or 7, `@hourly`-style shorthands, and Vixie cron's
 * rule that a day matches either day field when both are restricted. Validation messages
 * come from the platform; here an expression that does not parse has no description.
 */

export interface CronSchedule {
  minutes: number[]
  hours: number[]
  days: number[]
  months: number[]
  /** 0 = Sunday */
  weekdays: number[]
  daysRestricted: boolean
  weekdaysRestricted: boolean
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const FIELDS: Array<{ low: number; high: number; names: string[]; firstName: number }> = [
  { low: 0, high: 59, names: [], firstName: 0 },
  { low: 0, high: 23, names: [], firstName: 0 },
  { low: 1, high: 31, names: [], firstName: 0 },
  { low: 1, high: 12, names: MONTH_NAMES, firstName: 1 },
  { low: 0, high: 7, names: WEEKDAY_NAMES, firstName: 0 },
]
const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
}

function value(token: string, field: (typeof FIELDS)[number]): number | null {
  const named = field.names.indexOf(token.toLowerCase())
  if (named >= 0) return named + field.firstName
  if (!/^\d+$/.test(token)) return null
  const number = Number(token)
  return number >= field.low && number <= field.high ? number : null
}

function parseField(text: string, field: (typeof FIELDS)[number]): number[] | null {
  const values = new Set<number>()
  for (const item of text.split(',')) {
    const [span, stepText, extra] = item.split('/')
    if (!span || extra !== undefined) return null
    let step = 1
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) return null
      step = Number(stepText)
    }
    let first: number | null
    let last: number | null
    if (span === '*') {
      ;[first, last] = [field.low, field.high]
    } else if (span.includes('-')) {
      const [start, end] = span.split('-', 2)
      ;[first, last] = [value(start, field), value(end, field)]
      if (first === null || last === null || first > last) return null
    } else {
      first = value(span, field)
      if (first === null) return null
      last = stepText !== undefined ? field.high : first
    }
    for (let number = first; number <= last; number += step) values.add(number)
  }
  return [...values].sort((a, b) => a - b)
}

/** The values each field allows, or null when the expression does not parse. */
export function parseCron(expression: string): CronSchedule | null {
  const trimmed = (expression ?? '').trim()
  const parts = (SHORTHANDS[trimmed.toLowerCase()] ?? trimmed).split(/\s+/)
  if (parts.length !== 5) return null
  const sets = parts.map((part, index) => parseField(part, FIELDS[index]))
  if (sets.some((set) => set === null)) return null
  const [minutes, hours, days, months, weekdays] = sets as number[][]
  return {
    minutes, hours, days, months,
    weekdays: [...new Set(weekdays.map((day) => day % 7))].sort((a, b) => a - b),
    daysRestricted: !parts[2].startsWith('*'),
    weekdaysRestricted: !parts[4].startsWith('*'),
  }
}

// --- what the schedule means, independent of language -----------------------------------

/** Consecutive values: a single value when from === to. */
interface Run {
  from: number
  to: number
}

type Hours = { kind: 'all' } | { kind: 'between'; from: number; to: number } | { kind: 'in'; runs: Run[] }

type Time =
  | { kind: 'everyMinute'; hours: Hours }
  | { kind: 'everyNMinutes'; n: number; hours: Hours }
  | { kind: 'everyHour'; minute: number }
  | { kind: 'everyNHours'; n: number; minute: number }
  | { kind: 'clock'; times: Array<[number, number]> }
  | { kind: 'hourly'; minute: number; from: number; to: number }
  | { kind: 'minutes'; runs: Run[]; hours: Hours }

type MonthDays = { kind: 'step'; n: number } | { kind: 'runs'; runs: Run[] }

interface Days {
  monthDays: MonthDays | null
  /** Runs of weekday positions with Monday = 0 ... Sunday = 6. */
  weekdays: Run[] | null
  /** Vixie cron: a day matches if either restricted field does. */
  either: boolean
}

interface Meaning {
  time: Time
  days: Days
  months: Run[] | null
}

const CLOCK_TIMES_LISTED = 6

function isFull(values: number[], low: number, high: number): boolean {
  return values.length === high - low + 1
}

/** n when the values are low, low+n, low+2n ... to the end of the field (n > 1). */
function stepOf(values: number[], low: number, high: number): number | null {
  if (values.length < 2 || values[0] !== low) return null
  const n = values[1] - values[0]
  if (n < 2 || values.some((v, i) => v !== low + i * n) || values[values.length - 1] + n <= high) return null
  return n
}

function runsOf(values: number[]): Run[] {
  const runs: Run[] = []
  for (const v of values) {
    const last = runs[runs.length - 1]
    if (last && v === last.to + 1) last.to = v
    else runs.push({ from: v, to: v })
  }
  // Two neighbours read better as a list ("1 and 2") than as a range.
  return runs.flatMap((run) => (run.to - run.from === 1 ? [{ from: run.from, to: run.from }, { from: run.to, to: run.to }] : [run]))
}

function hoursOf(hours: number[]): Hours {
  if (isFull(hours, 0, 23)) return { kind: 'all' }
  const runs = runsOf(hours)
  if (runs.length === 1) return { kind: 'between', from: runs[0].from, to: runs[0].to }
  return { kind: 'in', runs }
}

function timeOf({ minutes, hours }: CronSchedule): Time {
  if (isFull(minutes, 0, 59)) return { kind: 'everyMinute', hours: hoursOf(hours) }
  const single = minutes.length === 1 ? minutes[0] : null
  if (single !== null && isFull(hours, 0, 23)) return { kind: 'everyHour', minute: single }
  const hourStep = stepOf(hours, 0, 23)
  if (single !== null && hourStep !== null) return { kind: 'everyNHours', n: hourStep, minute: single }
  if (minutes.length * hours.length <= CLOCK_TIMES_LISTED) {
    return { kind: 'clock', times: hours.flatMap((h) => minutes.map((m): [number, number] => [h, m])) }
  }
  const minuteStep = stepOf(minutes, 0, 59)
  if (minuteStep !== null) return { kind: 'everyNMinutes', n: minuteStep, hours: hoursOf(hours) }
  const hourRuns = runsOf(hours)
  if (single !== null && hourRuns.length === 1) return { kind: 'hourly', minute: single, from: hourRuns[0].from, to: hourRuns[0].to }
  return { kind: 'minutes', runs: runsOf(minutes), hours: hoursOf(hours) }
}

function daysOf(schedule: CronSchedule): Days {
  let monthDays: MonthDays | null = null
  if (!isFull(schedule.days, 1, 31)) {
    const n = stepOf(schedule.days, 1, 31)
    monthDays = n !== null ? { kind: 'step', n } : { kind: 'runs', runs: runsOf(schedule.days) }
  }
  const weekdays = schedule.weekdays.length === 7 ? null : runsOf(schedule.weekdays.map((d) => (d + 6) % 7).sort((a, b) => a - b))
  return { monthDays, weekdays, either: schedule.daysRestricted && schedule.weekdaysRestricted }
}

function meaningOf(schedule: CronSchedule): Meaning {
  return {
    time: timeOf(schedule),
    days: daysOf(schedule),
    months: isFull(schedule.months, 1, 12) ? null : runsOf(schedule.months),
  }
}

// --- words ------------------------------------------------------------------------------

export type CronLanguage = 'en' | 'zh-CN'

const pad = (n: number) => String(n).padStart(2, '0')
const clock = (h: number, m: number) => `${pad(h)}:${pad(m)}`

function listIn(language: CronLanguage, items: string[]): string {
  return new Intl.ListFormat(language, { type: 'conjunction' }).format(items)
}

function runText(language: CronLanguage, runs: Run[], label: (v: number) => string): string {
  const through = language === 'en' ? ' through ' : '至'
  return listIn(language, runs.map((r) => (r.from === r.to ? label(r.from) : `${label(r.from)}${through}${label(r.to)}`)))
}

const EN_WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December']
const ZH_WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日']

function english({ time, days, months }: Meaning): string {
  const list = (runs: Run[], label: (v: number) => string = String) => runText('en', runs, label)
  const single = (runs: Run[]) => runs.length === 1 && runs[0].from === runs[0].to
  const hours = (h: Hours): string | null => {
    if (h.kind === 'all') return null
    if (h.kind === 'between') return `between ${clock(h.from, 0)} and ${clock(h.to, 59)}`
    return `in hour${single(h.runs) ? '' : 's'} ${list(h.runs)}`
  }
  let clause: string
  const parts: Array<string | null> = []
  switch (time.kind) {
    case 'everyMinute':
      clause = 'every minute'
      parts.push(hours(time.hours))
      break
    case 'everyNMinutes':
      clause = `every ${time.n} minutes`
      parts.push(hours(time.hours))
      break
    case 'everyHour':
      clause = time.minute === 0 ? 'every hour' : `every hour at minute ${time.minute}`
      break
    case 'everyNHours':
      clause = `every ${time.n} hours` + (time.minute === 0 ? '' : ` at minute ${time.minute}`)
      break
    case 'clock':
      clause = `at ${listIn('en', time.times.map(([h, m]) => clock(h, m)))}`
      break
    case 'hourly':
      clause = `every hour from ${clock(time.from, time.minute)} to ${clock(time.to, time.minute)}`
      break
    case 'minutes':
      clause = `at minute${single(time.runs) ? '' : 's'} ${list(time.runs)}`
      if (time.hours.kind === 'all') clause += ' of every hour'
      else parts.push(hours(time.hours))
  }
  const { monthDays, weekdays, either } = days
  const dayTexts: string[] = []
  if (monthDays?.kind === 'step') dayTexts.push(`every ${monthDays.n} days`)
  if (monthDays?.kind === 'runs') {
    dayTexts.push(`on day${single(monthDays.runs) ? '' : 's'} ${list(monthDays.runs)} of the month`)
  }
  if (weekdays) dayTexts.push(`on ${list(weekdays, (d) => EN_WEEKDAYS[d])}`)
  if (dayTexts.length) parts.push(dayTexts.join(either ? ' or ' : ' and '))
  else if (time.kind === 'clock' || time.kind === 'hourly') parts.push('every day')
  if (months) parts.push(`in ${list(months, (m) => EN_MONTHS[m - 1])}`)
  const sentence = [clause, ...parts.filter(Boolean)].join(', ')
  return sentence[0].toUpperCase() + sentence.slice(1)
}

function chinese({ time, days, months }: Meaning): string {
  const list = (runs: Run[], label: (v: number) => string = String) => runText('zh-CN', runs, label)
  const hours = (h: Hours): string => {
    if (h.kind === 'all') return ''
    if (h.kind === 'between') return `${clock(h.from, 0)}至${clock(h.to, 59)}之间`
    return `${list(h.runs, (v) => `${v}点`)}的`
  }
  let clause: string
  let isClock = false
  switch (time.kind) {
    case 'everyMinute':
      clause = `${hours(time.hours)}每分钟`
      break
    case 'everyNMinutes':
      clause = `${hours(time.hours)}每${time.n}分钟`
      break
    case 'everyHour':
      clause = time.minute === 0 ? '每小时' : `每小时的第${time.minute}分钟`
      break
    case 'everyNHours':
      clause = `每${time.n}小时` + (time.minute === 0 ? '' : `的第${time.minute}分钟`)
      break
    case 'clock':
      clause = listIn('zh-CN', time.times.map(([h, m]) => clock(h, m)))
      isClock = true
      break
    case 'hourly':
      clause = `${clock(time.from, time.minute)}至${clock(time.to, time.minute)}之间每小时一次`
      isClock = true
      break
    case 'minutes':
      clause = `${hours(time.hours)}每小时的第${list(time.runs)}分钟`
  }
  const monthText = months ? list(months, (m) => `${m}月`) : ''
  const { monthDays, weekdays, either } = days
  const dayTexts: string[] = []
  if (monthDays?.kind === 'step') dayTexts.push(`${monthText}每${monthDays.n}天`)
  if (monthDays?.kind === 'runs') dayTexts.push(`${monthText || '每月'}${list(monthDays.runs, (d) => `${d}日`)}`)
  if (weekdays) dayTexts.push(`${monthText && !monthDays ? `${monthText}的` : ''}每${list(weekdays, (d) => ZH_WEEKDAYS[d])}`)
  let dayText = dayTexts.join(either ? '或' : '且')
  if (!dayText && (isClock || monthText)) dayText = monthText ? `${monthText}的每天` : '每天'
  if (!dayText) return clause
  return isClock ? `${dayText} ${clause}` : `${dayText}，${clause}`
}

/** A sentence saying when the expression fires, or null when it does not parse. */
export function describeCron(expression: string, language: string): string | null {
  const schedule = parseCron(expression)
  if (!schedule) return null
  const meaning = meaningOf(schedule)
  return language.toLowerCase().startsWith('zh') ? chinese(meaning) : english(meaning)
}

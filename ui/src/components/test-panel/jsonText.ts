/** JSON text for the editor and the raw result: readable layout, and parse errors with a place. */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object'
}

/** Indented JSON, except that arrays of scalars stay on one line (a tensor row, a probability list). */
export function formatJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return JSON.stringify(value)
    return `[\n${value.map((item) => inner + formatJson(item, inner)).join(',\n')}\n${indent}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined)
    if (!entries.length) return '{}'
    const lines = entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatJson(item, inner)}`)
    return `{\n${lines.join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export type Parsed = { ok: true; value: Json } | { ok: false; reason: 'empty' | 'syntax'; message: string; line?: number; column?: number }

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split('\n')
  return { line: before.length, column: before[before.length - 1].length + 1 }
}

/** Parse the editor's text, saying where it breaks when it is not JSON. */
export function parseJson(text: string): Parsed {
  if (!text.trim()) return { ok: false, reason: 'empty', message: '' }
  try {
    return { ok: true, value: JSON.parse(text) as Json }
  } catch (caught) {
    const message = caught instanceof Error ? caught.message : String(caught)
    const position = /at position (\d+)/.exec(message)
    const offset = position ? Number(position[1]) : /end of JSON/i.test(message) ? text.trimEnd().length : null
    if (offset === null) return { ok: false, reason: 'syntax', message }
    return { ok: false, reason: 'syntax', message, ...lineAndColumn(text, offset) }
  }
}

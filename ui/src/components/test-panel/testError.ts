/** A failed test as the panel shows it: the API's message, and the field and row it names. */
import { ApiError, errorMessage } from '../../api/errors'

export interface TestErrorView {
  message: string
  field: string | null
  /** The row the API blamed, when its message does not already say "row <n>". */
  row: number | null
}

export function testError(caught: unknown): TestErrorView {
  if (!(caught instanceof ApiError)) return { message: errorMessage(caught), field: null, row: null }
  const row = caught.details?.row
  const untold = typeof row === 'number' && !new RegExp(`\\brow ${row}\\b`).test(caught.message)
  return { message: caught.message, field: caught.field, row: untold ? row : null }
}

/** The error to show on a form field, when the API blamed one the form has. */
export function fieldErrors(error: TestErrorView | null, fieldNames: string[]): Record<string, string> {
  if (!error?.field || !fieldNames.includes(error.field)) return {}
  return { [error.field]: error.message }
}

/** True for the rejection of a call the panel cancelled itself (it was closed). */
export function isAbort(caught: unknown): boolean {
  return caught instanceof DOMException && caught.name === 'AbortError'
}

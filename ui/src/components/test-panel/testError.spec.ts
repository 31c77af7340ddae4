import { describe, expect, it } from 'vitest'

import { toApiError } from '../../api/errors'
import { fieldErrors, isAbort, testError } from './testError'
import rejected from './fixtures/audit-tree.error.json'

// A real 422 of POST /api/v1/models/audit-tree/test with an unknown category.

describe('testError', () => {
  it('keeps the API message and the field it names', () => {
    const error = testError(toApiError(422, rejected))
    expect(error).toEqual({ message: rejected.error.message, field: 'Employment', row: null })
  })

  it('adds the row only when the message does not say it already', () => {
    const csv = { error: { code: 'invalid_input', message: 'line 5 has 3 values but the header has 4 columns', details: { row: 3 } } }
    expect(testError(toApiError(422, csv)).row).toBe(3)
    const named = { error: { code: 'invalid_input', message: 'row 12 has 3 values', details: { row: 12 } } }
    expect(testError(toApiError(422, named)).row).toBeNull()
  })

  it('has no field for errors that name none', () => {
    const error = testError(toApiError(400, { error: { code: 'bad_request', message: 'malformed JSON', details: null } }))
    expect(error).toEqual({ message: 'malformed JSON', field: null, row: null })
  })

  it('describes network failures', () => {
    expect(testError(new TypeError('Failed to fetch')).message).toMatch(/reach the platform/)
  })
})

describe('fieldErrors', () => {
  it('puts the message on the named form field', () => {
    const error = testError(toApiError(422, rejected))
    expect(fieldErrors(error, ['Age', 'Employment'])).toEqual({ Employment: rejected.error.message })
  })

  it('puts nothing on the form for a field it does not have', () => {
    const error = testError(toApiError(422, rejected))
    expect(fieldErrors(error, ['Age'])).toEqual({})
    expect(fieldErrors(null, ['Age'])).toEqual({})
  })
})

describe('isAbort', () => {
  it('recognises a cancelled call only', () => {
    expect(isAbort(new DOMException('stop', 'AbortError'))).toBe(true)
    expect(isAbort(new Error('AbortError'))).toBe(false)
  })
})

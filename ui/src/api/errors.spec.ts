import { describe, expect, it } from 'vitest'

import { ApiError, errorMessage, toApiError } from './errors'

describe('toApiError', () => {
  it('reads the platform envelope with its field', () => {
    const error = toApiError(422, {
      error: { code: 'invalid_input', message: 'replicas: must be >= 1', details: { field: 'replicas' } },
    })
    expect(error).toBeInstanceOf(ApiError)
    expect([error.status, error.code, error.message, error.field]).toEqual([422, 'invalid_input', 'replicas: must be >= 1', 'replicas'])
  })
  it('keeps a plain-text answer (Serve backpressure) and drops HTML pages', () => {
    expect(toApiError(503, 'Request dropped due to backpressure').message).toBe('Request dropped due to backpressure')
    expect(toApiError(502, '<html>bad gateway</html>').message).toBe('The platform is unreachable')
  })
  it('falls back to a sentence per status', () => {
    expect(toApiError(413, '').message).toMatch(/too large/i)
    expect(toApiError(418, null).message).toBe('The platform answered HTTP 418')
    expect(toApiError(404, { detail: 'Not Found' }).message).toBe('Not Found')
  })
})

describe('errorMessage', () => {
  it('explains network failures', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/cannot reach the platform/i)
    expect(errorMessage(new ApiError(409, 'conflict', 'in use by service iris'))).toBe('in use by service iris')
  })
})

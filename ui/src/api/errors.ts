/** Turning whatever the platform (or the network) answered into one error a page can show. */

export interface ErrorDetails {
  field?: string | null
  [key: string]: unknown
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** The form field the platform blamed, when it named one. */
  get field(): string | null {
    const field = this.details?.field
    return typeof field === 'string' ? field : null
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was not understood',
  401: 'Sign in again: the token is missing, wrong or revoked',
  403: 'Your permission in this group does not allow this',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Too large for the platform’s limit',
  422: 'Invalid input',
  429: 'Too many requests; try again shortly',
  500: 'The platform failed; see its log',
  502: 'The platform is unreachable',
  503: 'Unavailable right now; try again shortly',
  504: 'Timed out',
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Build an ApiError from a response status and its (parsed or raw) body. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, details } = body.error
    return new ApiError(
      status,
      typeof code === 'string' ? code : `http_${status}`,
      typeof message === 'string' && message ? message : statusText(status),
      isRecord(details) ? (details as ErrorDetails) : null,
    )
  }
  if (isRecord(body) && typeof body.detail === 'string') {
    return new ApiError(status, `http_${status}`, body.detail)
  }
  if (typeof body === 'string' && body.trim() && !body.trimStart().startsWith('<')) {
    return new ApiError(status, `http_${status}`, body.trim().slice(0, 500))
  }
  return new ApiError(status, `http_${status}`, statusText(status))
}

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? `The platform answered HTTP ${status}`
}

/** A sentence for any thrown value: API errors, network failures, programming errors. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof TypeError) return 'Cannot reach the platform; check that it is running'
  if (error instanceof Error) return error.message
  return String(error)
}

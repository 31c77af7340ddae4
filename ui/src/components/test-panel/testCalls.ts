/** Where a test goes (a model version or a live service) and, for async calls, waiting for the answer. */
import { ApiError, request } from '../../api/client'
import type { ErrorDetails } from '../../api/errors'

export type TestTarget = { kind: 'model'; name: string; version?: number } | { kind: 'service'; name: string }

/** A request body: parsed JSON, or a CSV/JSON file sent as multipart ``file``. */
export type TestPayload = { json: unknown } | { file: File }

/** What ``GET /api/v1/requests/<id>`` answers (daas/platform/routes/inference.py). */
export interface AsyncRequestStatus {
  id: string
  status: 'queued' | 'running' | 'succeeded' | 'failed'
  result: unknown
  error: { code: string; message: string; details: ErrorDetails | null } | null
}

/** The 202 answer of ``POST /api/v1/svc/<name>/predict?mode=async``. */
interface AsyncAccepted {
  id: string
  status: string
}

export function testPath(target: TestTarget, asynchronous = false): string {
  const name = encodeURIComponent(target.name)
  if (target.kind === 'model') {
    const query = target.version ? `?version=${target.version}` : ''
    return `/api/v1/models/${name}/test${query}`
  }
  return `/api/v1/svc/${name}/predict${asynchronous ? '?mode=async' : ''}`
}

function requestInit(payload: TestPayload, signal?: AbortSignal): RequestInit {
  if ('file' in payload) {
    const form = new FormData()
    form.append('file', payload.file, payload.file.name)
    return { method: 'POST', body: form, signal }
  }
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload.json), signal }
}

/** The error an async request finished with, as the ApiError a sync call would have thrown. */
export function asyncFailure(status: AsyncRequestStatus): ApiError {
  const error = status.error
  return new ApiError(0, error?.code ?? 'failed', error?.message || 'the request failed', error?.details ?? null)
}

export interface WaitOptions {
  read: (id: string) => Promise<AsyncRequestStatus>
  sleep?: (ms: number) => Promise<void>
  onStatus?: (status: AsyncRequestStatus['status']) => void
  signal?: AbortSignal
  /** First pause between polls; it doubles up to ``maxDelayMs``. */
  delayMs?: number
  maxDelayMs?: number
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Poll an async request until it succeeded (its result) or failed (throws its error). */
export async function waitForRequest(id: string, options: WaitOptions): Promise<unknown> {
  const { read, sleep = pause, onStatus, signal, maxDelayMs = 2000 } = options
  let delay = options.delayMs ?? 250
  for (;;) {
    signal?.throwIfAborted()
    const status = await read(id)
    onStatus?.(status.status)
    if (status.status === 'succeeded') return status.result
    if (status.status === 'failed') throw asyncFailure(status)
    await sleep(delay)
    delay = Math.min(delay * 2, maxDelayMs)
  }
}

async function readStatus(id: string, signal?: AbortSignal): Promise<AsyncRequestStatus> {
  return (await request(`/api/v1/requests/${encodeURIComponent(id)}`, { signal })).json()
}

/** Send a test and return the prediction body; async service calls are polled until they finish. */
export async function runTest(
  target: TestTarget,
  payload: TestPayload,
  options: { asynchronous?: boolean; onStatus?: WaitOptions['onStatus']; signal?: AbortSignal } = {},
): Promise<unknown> {
  const asynchronous = target.kind === 'service' && Boolean(options.asynchronous)
  const response = await request(testPath(target, asynchronous), requestInit(payload, options.signal))
  const body = await response.json()
  if (!asynchronous) return body
  const accepted = body as AsyncAccepted
  options.onStatus?.('queued')
  return waitForRequest(accepted.id, {
    read: (id) => readStatus(id, options.signal),
    onStatus: options.onStatus,
    signal: options.signal,
  })
}

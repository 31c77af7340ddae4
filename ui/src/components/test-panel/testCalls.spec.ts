import { afterEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '../../api/errors'
import { runTest, testPath, waitForRequest, type AsyncRequestStatus } from './testCalls'
import iris from './fixtures/iris-tree.test.json'

function status(value: AsyncRequestStatus['status'], extra: Partial<AsyncRequestStatus> = {}): AsyncRequestStatus {
  return { id: 'r1', status: value, result: null, error: null, ...extra }
}

const noWait = () => Promise.resolve()

function json(body: unknown, code = 200): Response {
  return new Response(JSON.stringify(body), { status: code, headers: { 'Content-Type': 'application/json' } })
}

afterEach(() => vi.unstubAllGlobals())

describe('testPath', () => {
  it('aims at a model version’s test endpoint', () => {
    expect(testPath({ kind: 'model', name: 'iris', version: 2 })).toBe('/api/v1/models/iris/test?version=2')
    expect(testPath({ kind: 'model', name: 'iris' })).toBe('/api/v1/models/iris/test')
  })

  it('aims at a service’s predict endpoint, async on request', () => {
    expect(testPath({ kind: 'service', name: 'iris' })).toBe('/api/v1/svc/iris/predict')
    expect(testPath({ kind: 'service', name: 'iris' }, true)).toBe('/api/v1/svc/iris/predict?mode=async')
  })

  it('never makes a model test async', () => {
    expect(testPath({ kind: 'model', name: 'iris' }, true)).toBe('/api/v1/models/iris/test')
  })
})

describe('waitForRequest', () => {
  it('polls until the request succeeded and returns its result, reporting each status', async () => {
    const answers = [status('queued'), status('running'), status('succeeded', { result: iris })]
    const seen: string[] = []
    const result = await waitForRequest('r1', {
      read: async () => answers.shift()!, sleep: noWait, onStatus: (value) => seen.push(value),
    })
    expect(result).toEqual(iris)
    expect(seen).toEqual(['queued', 'running', 'succeeded'])
  })

  it('throws the failure as an ApiError naming the field', async () => {
    const failed = status('failed', {
      error: { code: 'invalid_input', message: "field 'x' is missing in every row", details: { field: 'x' } },
    })
    const waiting = waitForRequest('r1', { read: async () => failed, sleep: noWait })
    await expect(waiting).rejects.toBeInstanceOf(ApiError)
    await expect(waiting).rejects.toMatchObject({ message: "field 'x' is missing in every row", field: 'x' })
  })

  it('backs off between polls up to a limit', async () => {
    const delays: number[] = []
    let calls = 0
    await waitForRequest('r1', {
      read: async () => (++calls < 6 ? status('running') : status('succeeded')),
      sleep: async (ms) => void delays.push(ms),
      delayMs: 100,
      maxDelayMs: 500,
    })
    expect(delays).toEqual([100, 200, 400, 500, 500])
  })

  it('stops when cancelled', async () => {
    const controller = new AbortController()
    const waiting = waitForRequest('r1', {
      read: async () => status('running'),
      sleep: async () => controller.abort(),
      signal: controller.signal,
    })
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
  })
})

describe('runTest', () => {
  it('posts JSON to the model test endpoint and returns the answer', async () => {
    const fetch = vi.fn(async () => json(iris))
    vi.stubGlobal('fetch', fetch)
    const body = { data: [{ Sepal_Length: 5.1 }] }
    expect(await runTest({ kind: 'model', name: 'iris', version: 1 }, { json: body })).toEqual(iris)
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(path).toBe('/api/v1/models/iris/test?version=1')
    expect(init.method).toBe('POST')
    expect(JSON.parse(String(init.body))).toEqual(body)
  })

  it('sends a file as the multipart field "file"', async () => {
    const fetch = vi.fn(async () => json(iris))
    vi.stubGlobal('fetch', fetch)
    const file = new File(['a,b\n1,2\n'], 'rows.csv', { type: 'text/csv' })
    await runTest({ kind: 'service', name: 'iris' }, { file })
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect((init.body as FormData).get('file')).toBeInstanceOf(File)
  })

  it('submits an async service call, then polls the request until it succeeds', async () => {
    const answers = [
      json({ id: 'r1', status: 'queued', status_url: '/api/v1/requests/r1' }, 202),
      json(status('succeeded', { result: iris })),
    ]
    const fetch = vi.fn(async () => answers.shift()!)
    vi.stubGlobal('fetch', fetch)
    const result = await runTest({ kind: 'service', name: 'iris' }, { json: { data: [] } }, { asynchronous: true })
    expect(result).toEqual(iris)
    expect(fetch.mock.calls.map((call) => (call as unknown as [string])[0]))
      .toEqual(['/api/v1/svc/iris/predict?mode=async', '/api/v1/requests/r1'])
  })

  it('throws the API error of a rejected call', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ error: { code: 'unavailable', message: 'paused', details: null } }, 503)))
    await expect(runTest({ kind: 'service', name: 'iris' }, { json: {} })).rejects.toMatchObject({ status: 503, message: 'paused' })
  })
})

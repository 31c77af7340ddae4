/** The typed platform client: paths and bodies come from the generated OpenAPI types. */
import createClient, { type Middleware } from 'openapi-fetch'

import type { paths } from './schema'
import { ApiError, toApiError } from './errors'
import { scopedUrl } from './scope'
import { session, signOut } from '../session'

/** ``request`` sent to ``url``. Its body is copied as bytes: a request made from a request
 * streams its body, which Chrome sends only over HTTP/2. */
async function moved(request: Request, url: string): Promise<Request> {
  const { method, headers, signal, credentials, cache, redirect } = request
  const body = request.body ? await request.arrayBuffer() : undefined
  return new Request(url, { method, headers, signal, credentials, cache, redirect, body })
}

const authorize: Middleware = {
  async onRequest({ request }) {
    if (session.token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${session.token}`)
    }
    // Object calls work in the current group (the header's group switcher).
    const url = scopedUrl(request.url, session.group)
    return url === request.url ? request : moved(request, url)
  },
  onResponse({ response }) {
    if (response.status === 401 && session.token) signOut('expired')
    return response
  },
}

export const api = createClient<paths>({ baseUrl: '' })
api.use(authorize)

interface Outcome<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The data of a successful call; throws ApiError otherwise. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok) throw toApiError(response.status, error)
  return data as T
}

function authHeaders(): Record<string, string> {
  return session.token ? { Authorization: `Bearer ${session.token}` } : {}
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A call the generated client cannot type (plain text answers, service URLs). */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(scopedUrl(path, session.group), { ...init, headers: { ...authHeaders(), ...(init.headers ?? {}) } })
  if (response.status === 401 && session.token) signOut('expired')
  if (!response.ok) throw toApiError(response.status, await readBody(response))
  return response
}

/** POST a form with upload progress (fetch cannot report it). */
export function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', scopedUrl(path, session.group))
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total)
    }
    xhr.onerror = () => reject(new TypeError('network error'))
    xhr.onload = () => {
      let body: unknown = xhr.responseText
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        /* keep the text */
      }
      if (xhr.status === 401 && session.token) signOut('expired')
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T)
      else reject(xhr.status === 0 ? new TypeError('network error') : toApiError(xhr.status, body))
    }
    xhr.send(form)
  })
}

/** Save a response body as a file in the browser. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob()
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = filename
  link.click()
  URL.revokeObjectURL(link.href)
}

export { ApiError }

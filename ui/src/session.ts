/** Who is signed in: the bearer token, its name and role, kept in localStorage. */
import { reactive } from 'vue'

import type { Role } from './api/types'

const STORAGE_KEY = 'daas.session'
/** Why the last session ended, kept for this tab so a reload still explains it. */
const ENDED_KEY = 'daas.session-ended'
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 }

interface Session {
  token: string | null
  name: string | null
  role: Role | null
  /** Why the user was sent back to sign-in, shown there once. */
  endedBecause: 'expired' | null
}

function restore(): Session {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null')
    if (saved && typeof saved.token === 'string') return { ...saved, endedBecause: null }
  } catch {
    /* a damaged entry is the same as none */
  }
  const ended = sessionStorage.getItem(ENDED_KEY) === 'expired' ? 'expired' : null
  return { token: null, name: null, role: null, endedBecause: ended }
}

export const session = reactive<Session>(restore())

const listeners: Array<() => void> = []

/** Called when the session ends (sign-out or a 401): the router sends the user to sign-in. */
export function onSignOut(listener: () => void): void {
  listeners.push(listener)
}

export function signedIn(token: string, name: string, role: Role): void {
  Object.assign(session, { token, name, role, endedBecause: null })
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ token, name, role }))
  sessionStorage.removeItem(ENDED_KEY)
}

export function signOut(reason: 'expired' | null = null): void {
  Object.assign(session, { token: null, name: null, role: null, endedBecause: reason })
  localStorage.removeItem(STORAGE_KEY)
  if (reason) sessionStorage.setItem(ENDED_KEY, reason)
  else sessionStorage.removeItem(ENDED_KEY)
  listeners.forEach((listener) => listener())
}

/** True when the signed-in role is at least ``role`` (viewer < editor < admin). */
export function can(role: Role): boolean {
  return session.role !== null && RANK[session.role] >= RANK[role]
}

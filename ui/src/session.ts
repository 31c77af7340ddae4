/** Who is signed in (the bearer token and user name) and the group they work in, kept in localStorage. */
import { reactive } from 'vue'

const STORAGE_KEY = 'daas.session'
/** Why the last session ended, kept for this tab so a reload still explains it. */
const ENDED_KEY = 'daas.session-ended'
/** The group each user last chose, per user name, so a sign-in comes back to it. */
const GROUP_KEY = 'daas.group.'

interface Session {
  token: string | null
  name: string | null
  /** The group whose objects the pages show and create (the `group` parameter of object calls). */
  group: string | null
  /** Why the user was sent back to sign-in, shown there once. */
  endedBecause: 'expired' | null
}

function rememberedGroup(name: string | null): string | null {
  return name ? localStorage.getItem(GROUP_KEY + name) : null
}

function restore(): Session {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null')
    if (saved && typeof saved.token === 'string') {
      const name = typeof saved.name === 'string' ? saved.name : null
      return { token: saved.token, name, group: rememberedGroup(name), endedBecause: null }
    }
  } catch {
    /* a damaged entry is the same as none */
  }
  const ended = sessionStorage.getItem(ENDED_KEY) === 'expired' ? 'expired' : null
  return { token: null, name: null, group: null, endedBecause: ended }
}

export const session = reactive<Session>(restore())

const listeners: Array<() => void> = []

/** Called when the session ends (sign-out or a 401): the router sends the user to sign-in. */
export function onSignOut(listener: () => void): void {
  listeners.push(listener)
}

export function signedIn(token: string, name: string): void {
  Object.assign(session, { token, name, group: rememberedGroup(name), endedBecause: null })
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ token, name }))
  sessionStorage.removeItem(ENDED_KEY)
}

export function signOut(reason: 'expired' | null = null): void {
  Object.assign(session, { token: null, name: null, group: null, endedBecause: reason })
  localStorage.removeItem(STORAGE_KEY)
  if (reason) sessionStorage.setItem(ENDED_KEY, reason)
  else sessionStorage.removeItem(ENDED_KEY)
  listeners.forEach((listener) => listener())
}

/** Work in ``group`` from now on; remembered for this user across reloads and sign-ins. */
export function chooseGroup(group: string): void {
  session.group = group
  if (session.name) localStorage.setItem(GROUP_KEY + session.name, group)
}

/** A new service's API key, handed from the deploy page to the detail page once (never stored). */
const keys = new Map<string, string>()

export function keepKey(service: string, key: string): void {
  keys.set(service, key)
}

/** The key kept for ``service``, removed as it is read. */
export function takeKey(service: string): string | null {
  const key = keys.get(service) ?? null
  keys.delete(service)
  return key
}

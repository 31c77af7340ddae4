/** Model names as the registry accepts them (daas/platform/registry.py, MODEL_NAME). */

const MODEL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/

export function isValidModelName(name: string): boolean {
  return MODEL_NAME.test(name) && !name.includes('..')
}

/** A valid name from a file name: without its extension, other characters as "-". */
export function nameFromFile(filename: string): string {
  const stem = filename.replace(/\.[^.]*$/, '')
  return stem
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .slice(0, 64)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
}

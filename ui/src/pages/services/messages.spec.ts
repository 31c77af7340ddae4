import { describe, expect, it } from 'vitest'

import en from '../../i18n/en/services'
import zh from '../../i18n/zh/services'

function keys(messages: object, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`])
}

/** The names used, once each (plural forms repeat them, and Chinese has one form). */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()
}

describe('services messages', () => {
  it('has every English message in Chinese, with the same placeholders', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort())
    const lookup = (messages: object, key: string) =>
      key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], messages) as string
    for (const key of keys(en)) expect(placeholders(lookup(zh, key)), key).toEqual(placeholders(lookup(en, key)))
  })
})

import { describe, expect, it } from 'vitest'

import { messages } from './index'

type Tree = { [key: string]: string | Tree }

function leaves(tree: Tree, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree).flatMap(([key, value]) =>
      typeof value === 'string' ? [[prefix + key, value]] : Object.entries(leaves(value, `${prefix}${key}.`))),
  )
}

const placeholders = (message: string) => [...new Set([...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]))].sort()

describe('every message of every section', () => {
  const english = leaves(messages.en as unknown as Tree)
  const chinese = leaves(messages['zh-CN'] as unknown as Tree)

  it('exists in both languages', () => {
    expect(Object.keys(chinese).sort()).toEqual(Object.keys(english).sort())
  })

  it('takes the same parameters in both languages', () => {
    for (const [key, message] of Object.entries(english)) {
      expect(placeholders(chinese[key]), key).toEqual(placeholders(message))
    }
  })
})

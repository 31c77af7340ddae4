import { describe, expect, it } from 'vitest'

import en from './models'
import zh from '../zh/models'

type Tree = { [key: string]: string | Tree }

function leaves(tree: Tree, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree).flatMap(([key, value]) =>
      typeof value === 'string' ? [[prefix + key, value]] : Object.entries(leaves(value, `${prefix}${key}.`))),
  )
}

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort()

describe('models messages', () => {
  const english = leaves(en)
  const chinese = leaves(zh)

  it('exist in both languages', () => {
    expect(Object.keys(chinese).sort()).toEqual(Object.keys(english).sort())
  })

  it('take the same parameters in both languages', () => {
    for (const [key, message] of Object.entries(english)) {
      expect(placeholders(chinese[key]), key).toEqual(placeholders(message))
    }
  })

  it('hold no braces vue-i18n would misread (JSON examples are passed as parameters)', () => {
    for (const [key, message] of Object.entries({ ...english, ...chinese })) {
      expect(message.replace(/\{\w+\}/g, ''), key).not.toMatch(/[{}|@]/)
    }
  })
})

import { describe, expect, it } from 'vitest'

import type { ModelSchema } from '../../api/types'
import { allowedText, intervalText, shapeText } from './variableText'
import audit from '../../components/test-panel/fixtures/audit-tree.schema.json'
import iris from '../../components/test-panel/fixtures/iris-tree.schema.json'
import mnist from '../../components/test-panel/fixtures/mnist.schema.json'

describe('intervalText', () => {
  it('writes closures as brackets and open ends as infinity', () => {
    expect(intervalText({ closure: 'closedClosed', left: 4.3, right: 7.9 })).toBe('[4.3, 7.9]')
    expect(intervalText({ closure: 'openClosed', left: 0, right: 1 })).toBe('(0, 1]')
    expect(intervalText({ closure: 'closedOpen', left: 0, right: null })).toBe('[0, ∞)')
    expect(intervalText({ closure: 'closedClosed', left: null, right: 5 })).toBe('(−∞, 5]')
  })
})

describe('allowedText', () => {
  it('lists categories or ranges of the real schemas', () => {
    const [sepalLength] = (iris as ModelSchema).inputs
    expect(allowedText(sepalLength)).toBe('[4.3, 7.9]')
    const gender = (audit as ModelSchema).inputs.find((input) => input.name === 'Gender')!
    expect(allowedText(gender)).toBe('Female, Male')
    const income = (audit as ModelSchema).inputs.find((input) => input.name === 'Income')!
    expect(allowedText(income)).toBe('[609.72, 481259.5]')
  })

  it('joins several ranges and is empty for any value', () => {
    const intervals = [{ closure: 'closedClosed', left: 0, right: 1 }, { closure: 'closedClosed', left: 2, right: 3 }]
    expect(allowedText({ name: 'x', dtype: 'double', required: true, intervals })).toBe('[0, 1] ∪ [2, 3]')
    expect(allowedText({ name: 'x', dtype: 'string', required: true })).toBe('')
  })
})

describe('shapeText', () => {
  it('writes dynamic dimensions as ?', () => {
    expect(shapeText((mnist as ModelSchema).inputs[0].shape)).toBe('[1, 1, 28, 28]')
    expect(shapeText([null, 4])).toBe('[?, 4]')
    expect(shapeText(null)).toBe('')
  })
})

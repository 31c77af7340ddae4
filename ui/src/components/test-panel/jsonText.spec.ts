import { describe, expect, it } from 'vitest'

import { formatJson, lineAndColumn, parseJson } from './jsonText'
import irisResult from './fixtures/iris-tree.test.json'
import mnistResult from './fixtures/mnist.test.json'

describe('formatJson', () => {
  it('writes JSON that reads back the same', () => {
    for (const value of [irisResult, mnistResult, { a: [], b: {}, c: null, d: 'x"y' }, [1, [2, 3]], 'text', 0]) {
      expect(JSON.parse(formatJson(value))).toEqual(value)
    }
  })

  it('keeps arrays of scalars on one line and indents objects', () => {
    const text = formatJson({ data: [{ x: 1 }], row: [1, 2, 3] })
    expect(text).toContain('"row": [1,2,3]')
    expect(text.split('\n')).toContain('      "x": 1')
  })

  it('lays out a tensor one innermost row per line', () => {
    const text = formatJson({ inputs: { t: [[[0, 0], [0, 0]]] } })
    expect(text.split('\n').filter((line) => line.trim().startsWith('[0,0]'))).toHaveLength(2)
  })
})

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"data": [{"x": 1}]}')).toEqual({ ok: true, value: { data: [{ x: 1 }] } })
  })

  it('calls blank text empty', () => {
    expect(parseJson('  \n')).toMatchObject({ ok: false, reason: 'empty' })
  })

  it('says on which line and column the JSON breaks', () => {
    const parsed = parseJson('{\n  "a": 1,\n}')
    expect(parsed).toMatchObject({ ok: false, reason: 'syntax', line: 3, column: 1 })
    if (!parsed.ok) expect(parsed.message).not.toBe('')
    expect(parseJson('[1,\n2 ')).toMatchObject({ ok: false, line: 2 })
  })

  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 })
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 })
  })
})

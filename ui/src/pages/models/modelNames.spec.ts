import { describe, expect, it } from 'vitest'

import { isValidModelName, nameFromFile } from './modelNames'

describe('nameFromFile', () => {
  it('drops the extension', () => {
    expect(nameFromFile('DecisionTreeIris.pmml')).toBe('DecisionTreeIris')
    expect(nameFromFile('mnist.v2.onnx')).toBe('mnist.v2')
  })

  it('makes any file name a valid model name', () => {
    for (const filename of ['my model (final).pmml', '__x__.xml', 'modèle été.onnx', `${'a'.repeat(80)}.pmml`, 'a..b.pmml']) {
      const name = nameFromFile(filename)
      expect(isValidModelName(name), `${filename} -> ${name}`).toBe(true)
    }
  })

  it('gives an empty name when nothing usable is left', () => {
    expect(nameFromFile('---.pmml')).toBe('')
  })
})

describe('isValidModelName', () => {
  it('follows the registry’s rule', () => {
    expect(isValidModelName('iris')).toBe(true)
    expect(isValidModelName('iris-v2_final.1')).toBe(true)
    expect(isValidModelName('-iris')).toBe(false)
    expect(isValidModelName('iris.')).toBe(false)
    expect(isValidModelName('a..b')).toBe(false)
    expect(isValidModelName('a b')).toBe(false)
    expect(isValidModelName('a'.repeat(65))).toBe(false)
  })
})

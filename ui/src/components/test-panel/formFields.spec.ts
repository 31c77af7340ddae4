import { describe, expect, it } from 'vitest'

import type { ModelSchema } from '../../api/types'
import {
  exampleValue, exampleValues, fieldSpecs, recordsBody, takesTensors, tensorExample, toRecord, type FieldSpec,
} from './formFields'
import audit from './fixtures/audit-tree.schema.json'
import auto from './fixtures/auto-regression.schema.json'
import iris from './fixtures/iris-tree.schema.json'
import mnist from './fixtures/mnist.schema.json'

// Saved from GET /api/v1/models/<name>/schema for the KNIME corpus models and the ONNX MNIST model.
const irisSchema = iris as ModelSchema
const auditSchema = audit as ModelSchema
const autoSchema = auto as ModelSchema
const mnistSchema = mnist as ModelSchema

function spec(specs: FieldSpec[], name: string): FieldSpec {
  const found = specs.find((item) => item.name === name)
  if (!found) throw new Error(`no field ${name}`)
  return found
}

describe('fieldSpecs', () => {
  it('makes one field per input, in schema order', () => {
    expect(fieldSpecs(irisSchema).map((field) => field.name)).toEqual(irisSchema.inputs.map((input) => input.name))
  })

  it('turns continuous doubles into number fields bounded by their interval', () => {
    const field = spec(fieldSpecs(irisSchema), 'Sepal_Length')
    const interval = irisSchema.inputs[0].intervals![0]
    expect(field).toMatchObject({ kind: 'number', min: interval.left, max: interval.right, required: true })
  })

  it('turns integer inputs into integer fields', () => {
    expect(spec(fieldSpecs(autoSchema), 'cylinders').kind).toBe('integer')
    expect(spec(fieldSpecs(autoSchema), 'displacement').kind).toBe('number')
  })

  it('turns categorical inputs into selects of the allowed values', () => {
    const field = spec(fieldSpecs(auditSchema), 'Employment')
    const input = auditSchema.inputs.find((item) => item.name === 'Employment')!
    expect(field.kind).toBe('category')
    expect(field.options).toEqual(input.values)
  })

  it('takes the outer bounds of several intervals and leaves open ends unbounded', () => {
    const schema = {
      ...irisSchema,
      inputs: [
        { name: 'x', dtype: 'double', optype: 'continuous', intervals: [{ left: 5, right: 9 }, { left: -1, right: 2 }] },
        { name: 'y', dtype: 'double', optype: 'continuous', intervals: [{ left: 0, right: null }] },
      ],
    } as ModelSchema
    const [x, y] = fieldSpecs(schema)
    expect([x.min, x.max]).toEqual([-1, 9])
    expect(y.min).toBe(0)
    expect(y.max).toBeUndefined()
  })

  it('recognises booleans and free text', () => {
    const schema = {
      ...irisSchema,
      inputs: [{ name: 'flag', dtype: 'boolean' }, { name: 'city', dtype: 'string', optype: 'categorical' }],
    } as ModelSchema
    expect(fieldSpecs(schema).map((field) => field.kind)).toEqual(['boolean', 'text'])
  })
})

describe('example values', () => {
  it('stay within every bounded field of the real schemas', () => {
    for (const schema of [irisSchema, auditSchema, autoSchema]) {
      for (const field of fieldSpecs(schema)) {
        const value = exampleValue(field)
        if (field.kind === 'category') expect(field.options).toContain(value)
        if (field.kind === 'number' || field.kind === 'integer') {
          expect(typeof value).toBe('number')
          if (field.min !== undefined) expect(value).toBeGreaterThanOrEqual(field.min)
          if (field.max !== undefined) expect(value).toBeLessThanOrEqual(field.max)
        }
        if (field.kind === 'integer') expect(Number.isInteger(value)).toBe(true)
      }
    }
  })

  it('take the middle of a range and the first category', () => {
    const values = exampleValues(fieldSpecs(auditSchema))
    expect(values.Age).toBe(50) // interval [17, 83]
    expect(values.Employment).toBe(auditSchema.inputs[1].values![0])
  })

  it('keep an integer inside a range too narrow to hold its rounded middle', () => {
    expect(exampleValue({ name: 'n', kind: 'integer', dtype: 'integer', optype: null, required: true, min: 1.6, max: 1.9 }))
      .toBe(2)
  })
})

describe('toRecord', () => {
  const specs = fieldSpecs(auditSchema)

  it('sends numbers as numbers, text typed into number fields as numbers when it is one', () => {
    const record = toRecord(specs, { Age: '42', Income: 1234.5, Employment: 'Private' })
    expect(record.Age).toBe(42)
    expect(record.Income).toBe(1234.5)
    expect(record.Employment).toBe('Private')
  })

  it('sends blank fields as null (a missing value) and keeps every field', () => {
    const record = toRecord(specs, { Age: '', Income: undefined })
    expect(Object.keys(record)).toEqual(specs.map((field) => field.name))
    expect(record.Age).toBeNull()
    expect(record.Income).toBeNull()
  })

  it('leaves text that is not a number as typed, for the API to name the field', () => {
    expect(toRecord(specs, { Age: 'forty' }).Age).toBe('forty')
  })

  it('reads booleans from their text', () => {
    const flag: FieldSpec = { name: 'flag', kind: 'boolean', dtype: 'boolean', optype: null, required: true }
    expect(toRecord([flag], { flag: 'true' }).flag).toBe(true)
    expect(toRecord([flag], { flag: false }).flag).toBe(false)
  })

  it('wraps the record as the API body the iris model accepts', () => {
    const body = recordsBody(fieldSpecs(irisSchema), { Sepal_Length: 5.1, Sepal_Width: 3.5, Petal_Length: 1.4, Petal_Width: 0.2 })
    expect(body).toEqual({ data: [{ Sepal_Length: 5.1, Sepal_Width: 3.5, Petal_Length: 1.4, Petal_Width: 0.2 }] })
  })
})

describe('tensor models', () => {
  it('are told apart from tabular ones', () => {
    expect(takesTensors(mnistSchema)).toBe(true)
    expect(takesTensors(irisSchema)).toBe(false)
  })

  it('get a zero tensor of each input shape', () => {
    const example = tensorExample(mnistSchema)!
    const tensor = example.inputs.Input3 as number[][][][]
    expect([tensor.length, tensor[0].length, tensor[0][0].length, tensor[0][0][0].length]).toEqual([1, 1, 28, 28])
    expect(tensor.flat(3).every((cell) => cell === 0)).toBe(true)
  })

  it('count dynamic dimensions as one and give up on large tensors', () => {
    const schema = { ...mnistSchema, inputs: [{ name: 'x', dtype: 'float', shape: [null, 3] }] } as ModelSchema
    expect(tensorExample(schema)).toEqual({ inputs: { x: [[0, 0, 0]] } })
    expect(tensorExample(mnistSchema, 100)).toBeNull()
  })
})

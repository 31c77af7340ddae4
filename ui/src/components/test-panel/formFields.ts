/** A model's input variables as form fields: kinds, ranges, example values, typed records. */
import type { ModelSchema, Variable } from '../../api/types'

export type FieldKind = 'number' | 'integer' | 'category' | 'boolean' | 'text'

export interface FieldSpec {
  name: string
  kind: FieldKind
  dtype: string
  optype: string | null
  required: boolean
  /** The lowest and highest value the variable's intervals allow, when they are bounded. */
  min?: number
  max?: number
  /** Allowed categories, for ``category`` fields. */
  options?: string[]
  description?: string | null
}

export type FormValue = number | string | boolean | null | undefined
export type FormValues = Record<string, FormValue>
/** One input row as the API takes it in ``{"data": [record]}``. */
export type InputRecord = Record<string, number | string | boolean | null>

const INTEGER_TYPES = /^u?int(8|16|32|64)?$|^integer$|^long$|^short$/i
const NUMBER_TYPES = /^(float|double|real|number|float16|bfloat16|float32|float64|decimal)$/i
const BOOLEAN_TYPES = /^(bool|boolean)$/i

/** Whether the model takes named tensors (ONNX) rather than one scalar per field and row. */
export function takesTensors(schema: ModelSchema): boolean {
  return schema.tabular === false
}

function kindOf(variable: Variable): FieldKind {
  const dtype = variable.dtype
  if (BOOLEAN_TYPES.test(dtype)) return 'boolean'
  const categorical = variable.optype === 'categorical' || variable.optype === 'ordinal'
  if (variable.values?.length && (categorical || !NUMBER_TYPES.test(dtype))) return 'category'
  if (INTEGER_TYPES.test(dtype)) return 'integer'
  if (NUMBER_TYPES.test(dtype)) return 'number'
  return 'text'
}

/** The outer bounds of a variable's intervals; a bound is left out when any interval is open-ended. */
function bounds(variable: Variable): { min?: number; max?: number } {
  const intervals = variable.intervals ?? []
  if (!intervals.length) return {}
  const lefts = intervals.map((interval) => interval.left)
  const rights = intervals.map((interval) => interval.right)
  const result: { min?: number; max?: number } = {}
  if (lefts.every((left) => typeof left === 'number')) result.min = Math.min(...(lefts as number[]))
  if (rights.every((right) => typeof right === 'number')) result.max = Math.max(...(rights as number[]))
  return result
}

/** One form field per input variable of a tabular model, in schema order. */
export function fieldSpecs(schema: ModelSchema): FieldSpec[] {
  return schema.inputs.map((variable) => {
    const kind = kindOf(variable)
    const spec: FieldSpec = {
      name: variable.name,
      kind,
      dtype: variable.dtype,
      optype: variable.optype ?? null,
      required: variable.required ?? true,
      description: variable.description ?? null,
    }
    if (kind === 'category') spec.options = [...(variable.values ?? [])]
    if (kind === 'number' || kind === 'integer') Object.assign(spec, bounds(variable))
    return spec
  })
}

/** A valid value for a field: the middle of its range, its first category, ``false`` or a placeholder text. */
export function exampleValue(spec: FieldSpec): FormValue {
  switch (spec.kind) {
    case 'category':
      return spec.options?.[0] ?? null
    case 'boolean':
      return false
    case 'text':
      return 'example'
    default: {
      const { min, max } = spec
      let value = 0
      if (min !== undefined && max !== undefined) value = (min + max) / 2
      else if (min !== undefined) value = min
      else if (max !== undefined) value = max
      if (spec.kind === 'integer') {
        value = Math.round(value)
        if (max !== undefined && value > max) value = Math.floor(max)
        if (min !== undefined && value < min) value = Math.ceil(min)
      }
      return Number(value.toPrecision(6))
    }
  }
}

export function exampleValues(specs: FieldSpec[]): FormValues {
  return Object.fromEntries(specs.map((spec) => [spec.name, exampleValue(spec)]))
}

function isBlank(value: FormValue): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '')
}

/** A form value as the model's type; text that is not a number is sent as typed, so the API can name it. */
function coerce(spec: FieldSpec, value: FormValue): number | string | boolean | null {
  if (isBlank(value)) return null
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      if (typeof value === 'number') return value
      const number = Number(String(value).trim())
      return Number.isFinite(number) ? number : String(value)
    }
    case 'boolean':
      if (typeof value === 'boolean') return value
      if (String(value).toLowerCase() === 'true') return true
      if (String(value).toLowerCase() === 'false') return false
      return String(value)
    default:
      return String(value)
  }
}

/** The record the API takes for the form's values: every field present, blanks as null (missing). */
export function toRecord(specs: FieldSpec[], values: FormValues): InputRecord {
  return Object.fromEntries(specs.map((spec) => [spec.name, coerce(spec, values[spec.name])]))
}


/** The JSON editor's starting body for a tabular model: one record of the form's values. */
export function recordsBody(specs: FieldSpec[], values: FormValues): { data: InputRecord[] } {
  return { data: [toRecord(specs, values)] }
}

type Nested = number | string | boolean | Nested[]

function filled(shape: number[], cell: number | string | boolean): Nested {
  if (!shape.length) return cell
  const [size, ...rest] = shape
  return Array.from({ length: size }, () => filled(rest, cell))
}

/**
 * ``{"inputs": {name: zeros}}`` with every input's shape (dynamic dimensions as 1), or null when
 * an input has no shape or more than ``maxCells`` values (too big to edit by hand).
 */
export function tensorExample(schema: ModelSchema, maxCells = 4096): { inputs: Record<string, Nested> } | null {
  const inputs: Record<string, Nested> = {}
  for (const variable of schema.inputs) {
    if (!variable.shape) return null
    const shape = variable.shape.map((size) => (size === null || size < 1 ? 1 : size))
    if (shape.reduce((product, size) => product * size, 1) > maxCells) return null
    const kind = kindOf(variable)
    inputs[variable.name] = filled(shape, kind === 'text' || kind === 'category' ? '' : kind === 'boolean' ? false : 0)
  }
  return { inputs }
}

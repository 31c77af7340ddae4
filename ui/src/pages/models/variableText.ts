/** How the variables tab writes a variable's allowed values, ranges and shape. */
import type { Variable } from '../../api/types'

type Interval = NonNullable<Variable['intervals']>[number]

/** ``[4.3, 7.9]``, ``(0, ∞)``: bounds as the model states them, brackets after the PMML closure, open ends as ∞. */
export function intervalText(interval: Interval): string {
  const closure = interval.closure ?? 'closedClosed'
  const left = interval.left ?? null
  const right = interval.right ?? null
  const open = closure.startsWith('open') || left === null ? '(' : '['
  const close = closure.endsWith('Open') || right === null ? ')' : ']'
  const low = left === null ? '−∞' : String(left)
  const high = right === null ? '∞' : String(right)
  return `${open}${low}, ${high}${close}`
}

/** The allowed categories, or the ranges; empty when the variable takes any value. */
export function allowedText(variable: Variable): string {
  if (variable.values?.length) return variable.values.join(', ')
  return (variable.intervals ?? []).map(intervalText).join(' ∪ ')
}

/** ``[?, 4]`` for an ONNX shape with a dynamic first dimension. */
export function shapeText(shape: Variable['shape']): string {
  return shape ? `[${shape.map((size) => (size === null ? '?' : String(size))).join(', ')}]` : ''
}

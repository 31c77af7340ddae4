/**
 * A prediction response as the result area shows it. Model tests and services answer
 * ``{model, version, task, predictions: [row]}`` (rows) or ``{..., outputs: {name: nested list}}``
 * (tensors); a row holds the raw ``outputs`` and the task-level view: ``label`` + ``probabilities``,
 * ``value``, ``cluster`` + ``distance``/``affinity`` or ``components`` (daas/runtimes/*.py).
 */
import { formatNumber } from '../../format'
import { formatJson } from './jsonText'

export type Scalar = string | number | boolean | null

export interface ClassBar {
  label: string
  probability: number | null
}

export interface PredictionView {
  label?: Scalar
  /** Highest first. */
  probabilities?: ClassBar[]
  value?: number | null
  cluster?: Scalar
  distance?: number | null
  affinity?: number | null
  components?: Array<number | null>
  /** Other task-level fields a model adds (e.g. an interval). */
  extra: Record<string, unknown>
}

export interface TensorView {
  name: string
  shape: number[]
}

export interface ResultView {
  task: string | null
  predictions: PredictionView[]
  tensors: TensorView[]
  raw: string
}

/** A column of the several-rows table: a task field, or the probability of one class. */
export interface ResultColumn {
  key: string
  field: string
  className?: string
}

export type ResultCell = string | number | null

const TASK_FIELDS = ['label', 'probabilities', 'value', 'cluster', 'distance', 'affinity', 'components', 'outputs']
/** Beyond this many classes the table shows only the winner's probability. */
const MAX_PROBABILITY_COLUMNS = 6

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function asScalar(value: unknown): Scalar {
  return ['string', 'number', 'boolean'].includes(typeof value) ? (value as Scalar) : null
}

export function classBars(probabilities: Record<string, unknown>): ClassBar[] {
  return Object.entries(probabilities)
    .map(([label, probability]) => ({ label, probability: asNumber(probability) }))
    .sort((a, b) => (b.probability ?? -1) - (a.probability ?? -1))
}

function predictionView(row: Record<string, unknown>): PredictionView {
  const view: PredictionView = { extra: {} }
  if ('label' in row) view.label = asScalar(row.label)
  if (isRecord(row.probabilities)) view.probabilities = classBars(row.probabilities)
  if ('value' in row) view.value = asNumber(row.value)
  if ('cluster' in row) view.cluster = asScalar(row.cluster)
  if ('distance' in row) view.distance = asNumber(row.distance)
  if ('affinity' in row) view.affinity = asNumber(row.affinity)
  if (Array.isArray(row.components)) view.components = row.components.map(asNumber)
  for (const [key, value] of Object.entries(row)) {
    if (!TASK_FIELDS.includes(key)) view.extra[key] = value
  }
  return view
}

/** The dimensions of a nested list ([] for a scalar), read along its first elements. */
export function shapeOf(value: unknown): number[] {
  const shape: number[] = []
  let level = value
  while (Array.isArray(level)) {
    shape.push(level.length)
    level = level[0]
  }
  return shape
}

export function resultView(body: unknown): ResultView {
  const record = isRecord(body) ? body : {}
  const predictions = Array.isArray(record.predictions)
    ? record.predictions.filter(isRecord).map(predictionView)
    : []
  const tensors = !Array.isArray(record.predictions) && isRecord(record.outputs)
    ? Object.entries(record.outputs).map(([name, value]) => ({ name, shape: shapeOf(value) }))
    : []
  return { task: typeof record.task === 'string' ? record.task : null, predictions, tensors, raw: formatJson(body) }
}

/** The winning class's probability, or null when the model gave none. */
export function labelProbability(prediction: PredictionView): number | null {
  const label = prediction.label
  const bar = prediction.probabilities?.find((item) => item.label === String(label))
  return bar?.probability ?? null
}

/** Columns for several predictions: the task fields present in any row, in a fixed order. */
export function resultColumns(predictions: PredictionView[]): ResultColumn[] {
  const columns: ResultColumn[] = []
  const has = (field: keyof PredictionView) => predictions.some((row) => row[field] !== undefined)
  if (has('label')) columns.push({ key: 'label', field: 'label' })
  const classes = [...new Set(predictions.flatMap((row) => (row.probabilities ?? []).map((bar) => bar.label)))].sort()
  if (classes.length > MAX_PROBABILITY_COLUMNS) columns.push({ key: 'probability', field: 'probability' })
  else columns.push(...classes.map((className) => ({ key: `p:${className}`, field: 'probability', className })))
  for (const field of ['value', 'cluster', 'distance', 'affinity', 'components'] as const) {
    if (has(field)) columns.push({ key: field, field })
  }
  const extra = [...new Set(predictions.flatMap((row) => Object.keys(row.extra)))]
  columns.push(...extra.map((field) => ({ key: `extra:${field}`, field })))
  return columns
}

function cell(value: unknown): ResultCell {
  if (value === undefined || value === null) return null
  if (typeof value === 'number' || typeof value === 'string') return value
  if (Array.isArray(value) && value.every((item) => typeof item === 'number' || item === null)) {
    return value.map((item) => formatNumber(item)).join(', ')
  }
  return JSON.stringify(value)
}

function cellOf(prediction: PredictionView, column: ResultColumn): ResultCell {
  if (column.className !== undefined) {
    return prediction.probabilities?.find((bar) => bar.label === column.className)?.probability ?? null
  }
  if (column.key === 'probability') return labelProbability(prediction)
  if (column.key.startsWith('extra:')) return cell(prediction.extra[column.field])
  return cell(prediction[column.field as keyof PredictionView])
}

/** One table row per prediction (``index`` from 0, as the API's error rows count), keyed by column. */
export function resultRows(predictions: PredictionView[], columns: ResultColumn[]): Array<Record<string, ResultCell>> {
  return predictions.map((prediction, index) => ({
    index,
    ...Object.fromEntries(columns.map((column) => [column.key, cellOf(prediction, column)])),
  }))
}

/**
 * An evaluate run's metrics (daas/batch/evaluate.py) read into shapes the page can show.
 * Anything unexpected is kept out rather than guessed; the raw JSON is shown beside.
 */

export interface ClassRow {
  label: string
  precision: number | null
  recall: number | null
  f1: number | null
  support: number | null
  rocAuc: number | null
}

export interface Confusion {
  labels: string[]
  /** Row = actual label, column = predicted label. */
  matrix: number[][]
}

export interface ClassificationMetrics {
  task: 'classification'
  rows: number | null
  labelColumn: string | null
  rowsWithoutLabel: number | null
  accuracy: number | null
  macro: { precision: number | null; recall: number | null; f1: number | null }
  classes: ClassRow[]
  confusion: Confusion | null
  rocAuc: number | null
  logLoss: number | null
}

export interface RegressionMetrics {
  task: 'regression'
  rows: number | null
  labelColumn: string | null
  rowsWithoutLabel: number | null
  rowsWithoutPrediction: number | null
  mae: number | null
  mse: number | null
  rmse: number | null
  r2: number | null
}

export interface ClusterSize {
  cluster: string
  rows: number
  share: number
}

export interface ClusteringMetrics {
  task: 'clustering'
  rows: number | null
  sizes: ClusterSize[]
  silhouette: number | null
  sampleRows: number | null
  features: string[]
}

export type RunMetrics = ClassificationMetrics | RegressionMetrics | ClusteringMetrics

type Raw = Record<string, unknown>

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value)
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)

function confusionOf(value: unknown): Confusion | null {
  if (!isRecord(value) || !Array.isArray(value.labels) || !Array.isArray(value.matrix)) return null
  const labels = value.labels.map(String)
  const matrix = value.matrix.map((row) => (Array.isArray(row) ? row.map((cell) => num(cell) ?? 0) : []))
  const square = matrix.length === labels.length && matrix.every((row) => row.length === labels.length)
  return square ? { labels, matrix } : null
}

function classification(raw: Raw): ClassificationMetrics {
  const perClass = isRecord(raw.per_class) ? raw.per_class : {}
  const aucs = isRecord(raw.roc_auc_per_class) ? raw.roc_auc_per_class : {}
  const macro = isRecord(raw.macro) ? raw.macro : {}
  return {
    task: 'classification',
    rows: num(raw.rows),
    labelColumn: text(raw.label_column),
    rowsWithoutLabel: num(raw.rows_without_label),
    accuracy: num(raw.accuracy),
    macro: { precision: num(macro.precision), recall: num(macro.recall), f1: num(macro.f1) },
    classes: Object.entries(perClass).map(([label, row]) => {
      const values = isRecord(row) ? row : {}
      return {
        label, precision: num(values.precision), recall: num(values.recall), f1: num(values.f1),
        support: num(values.support), rocAuc: num(aucs[label]),
      }
    }),
    confusion: confusionOf(raw.confusion_matrix),
    rocAuc: num(raw.roc_auc),
    logLoss: num(raw.log_loss),
  }
}

function clustering(raw: Raw): ClusteringMetrics {
  const counts = Object.entries(isRecord(raw.cluster_sizes) ? raw.cluster_sizes : {})
    .map(([cluster, rows]) => ({ cluster, rows: num(rows) ?? 0 }))
  const total = counts.reduce((sum, entry) => sum + entry.rows, 0)
  return {
    task: 'clustering',
    rows: num(raw.rows),
    sizes: counts.map((entry) => ({ ...entry, share: total ? entry.rows / total : 0 })),
    silhouette: num(raw.silhouette),
    sampleRows: num(raw.silhouette_sample_rows),
    features: Array.isArray(raw.silhouette_features) ? raw.silhouette_features.map(String) : [],
  }
}

function regression(raw: Raw): RegressionMetrics {
  return {
    task: 'regression',
    rows: num(raw.rows),
    labelColumn: text(raw.label_column),
    rowsWithoutLabel: num(raw.rows_without_label),
    rowsWithoutPrediction: num(raw.rows_without_prediction),
    mae: num(raw.mae), mse: num(raw.mse), rmse: num(raw.rmse), r2: num(raw.r2),
  }
}

/** The metrics of a run, or null when it has none the page knows how to show. */
export function readMetrics(raw: unknown): RunMetrics | null {
  if (!isRecord(raw)) return null
  if ('cluster_sizes' in raw) return clustering(raw)
  if ('per_class' in raw || 'confusion_matrix' in raw || 'accuracy' in raw) return classification(raw)
  if ('mae' in raw || 'rmse' in raw || 'r2' in raw) return regression(raw)
  return null
}

import { describe, expect, it } from 'vitest'

import { readMetrics } from './metrics'

// Shaped like daas/batch/evaluate.py's output for the iris decision tree.
const CLASSIFICATION = {
  task: 'classification', label_column: 'Species', rows_without_label: 0, rows: 150, accuracy: 0.96,
  per_class: {
    setosa: { precision: 1, recall: 1, f1: 1, support: 50 },
    versicolor: { precision: 0.94, recall: 0.94, f1: 0.94, support: 50 },
  },
  macro: { precision: 0.97, recall: 0.97, f1: 0.97 },
  confusion_matrix: { labels: ['setosa', 'versicolor'], matrix: [[50, 0], [3, 47]] },
  roc_auc: 0.99, roc_auc_per_class: { setosa: 1, versicolor: null }, log_loss: 0.12,
}

describe('readMetrics', () => {
  it('reads classification metrics with per-class rows and the confusion matrix', () => {
    const metrics = readMetrics(CLASSIFICATION)
    expect(metrics?.task).toBe('classification')
    if (metrics?.task !== 'classification') return
    expect(metrics.accuracy).toBe(0.96)
    expect(metrics.classes.map((row) => row.label)).toEqual(['setosa', 'versicolor'])
    expect(metrics.classes[0]).toMatchObject({ precision: 1, support: 50, rocAuc: 1 })
    expect(metrics.classes[1].rocAuc).toBeNull()
    expect(metrics.confusion).toEqual({ labels: ['setosa', 'versicolor'], matrix: [[50, 0], [3, 47]] })
    expect(metrics).toMatchObject({ rocAuc: 0.99, logLoss: 0.12, labelColumn: 'Species' })
  })

  it('drops a confusion matrix that is not square over its labels', () => {
    const metrics = readMetrics({ ...CLASSIFICATION, confusion_matrix: { labels: ['a', 'b'], matrix: [[1, 2]] } })
    expect(metrics?.task === 'classification' && metrics.confusion).toBeNull()
  })

  it('reads regression metrics, keeping undefined ones as null', () => {
    const metrics = readMetrics({ task: 'regression', rows: 0, mae: null, mse: null, rmse: null, r2: null })
    expect(metrics).toMatchObject({ task: 'regression', rows: 0, mae: null, r2: null })
    expect(readMetrics({ task: 'regression', rows: 10, mae: 1.5, rmse: 2, r2: 0.8 })).toMatchObject({ mae: 1.5, r2: 0.8 })
  })

  it('reads cluster sizes with their share of the rows', () => {
    const metrics = readMetrics({ task: 'clustering', rows: 4, cluster_sizes: { '0': 3, '1': 1 }, silhouette: 0.5,
      silhouette_sample_rows: 4, silhouette_features: ['x', 'y'] })
    expect(metrics).toMatchObject({ task: 'clustering', silhouette: 0.5, features: ['x', 'y'] })
    expect(metrics?.task === 'clustering' && metrics.sizes).toEqual([
      { cluster: '0', rows: 3, share: 0.75 }, { cluster: '1', rows: 1, share: 0.25 }])
  })

  it('has nothing to show for runs without metrics', () => {
    expect(readMetrics(null)).toBeNull()
    expect(readMetrics({ note: 'custom' })).toBeNull()
    expect(readMetrics([1, 2])).toBeNull()
  })
})

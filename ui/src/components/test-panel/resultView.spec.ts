import { describe, expect, it } from 'vitest'

import { classBars, labelProbability, resultColumns, resultRows, resultView, shapeOf } from './resultView'
import auto from './fixtures/auto-regression.test.json'
import iris from './fixtures/iris-tree.test.json'
import kmeans from './fixtures/kmeans-iris.test.json'
import mnist from './fixtures/mnist.test.json'

// Saved answers of POST /api/v1/models/<name>/test.

describe('resultView', () => {
  it('shows a classifier’s label with its class probabilities, highest first', () => {
    const view = resultView(iris)
    expect(view.task).toBe('classification')
    expect(view.predictions).toHaveLength(2)
    const second = view.predictions[1]
    expect(second.label).toBe('versicolor')
    expect(second.probabilities!.map((bar) => bar.label)).toEqual(['versicolor', 'virginica', 'setosa'])
    expect(labelProbability(second)).toBeCloseTo(0.979, 3)
  })

  it('shows a regressor’s value', () => {
    const [prediction] = resultView(auto).predictions
    expect(prediction.value).toBeCloseTo(15.0, 2)
    expect(prediction.label).toBeUndefined()
  })

  it('shows a cluster with its distance', () => {
    const [prediction] = resultView(kmeans).predictions
    expect(prediction.cluster).toBe(3)
    expect(prediction.distance).toBeGreaterThan(0)
  })

  it('shows components of a dimensionality reduction', () => {
    const view = resultView({ task: 'dimensionality_reduction', predictions: [{ outputs: {}, components: [0.5, -1, null] }] })
    expect(view.predictions[0].components).toEqual([0.5, -1, null])
  })

  it('lists tensor outputs with their shapes', () => {
    const view = resultView(mnist)
    expect(view.predictions).toEqual([])
    expect(view.tensors).toEqual([{ name: 'Plus214_Output_0', shape: [1, 10] }])
  })

  it('keeps the raw answer as JSON text', () => {
    expect(JSON.parse(resultView(iris).raw)).toEqual(iris)
  })

  it('keeps task-level fields it does not know', () => {
    const view = resultView({ predictions: [{ value: 1, interval: [0, 2], outputs: { y: 1 } }] })
    expect(view.predictions[0].extra).toEqual({ interval: [0, 2] })
  })

  it('survives an answer of an unexpected shape', () => {
    expect(resultView('oops')).toMatchObject({ task: null, predictions: [], tensors: [] })
  })
})

describe('classBars', () => {
  it('puts missing probabilities last', () => {
    expect(classBars({ a: null, b: 0.2, c: 0.8 }).map((bar) => bar.label)).toEqual(['c', 'b', 'a'])
  })
})

describe('shapeOf', () => {
  it('reads nested list dimensions', () => {
    expect(shapeOf([[[1, 2, 3]], [[4, 5, 6]]])).toEqual([2, 1, 3])
    expect(shapeOf(5)).toEqual([])
  })
})

describe('result table', () => {
  it('has a column per class probability for a few classes', () => {
    const { predictions } = resultView(iris)
    const columns = resultColumns(predictions)
    expect(columns.map((column) => column.key)).toEqual(['label', 'p:setosa', 'p:versicolor', 'p:virginica'])
    const rows = resultRows(predictions, columns)
    expect(rows[0]).toMatchObject({ index: 0, label: 'setosa', 'p:setosa': 1 })
    expect(rows[1]['p:versicolor']).toBeCloseTo(0.979, 3)
  })

  it('shows only the winner’s probability for many classes', () => {
    const probabilities = Object.fromEntries([...'abcdefgh'].map((label, i) => [label, i / 28]))
    const predictions = resultView({ predictions: [{ label: 'h', probabilities }] }).predictions
    const columns = resultColumns(predictions)
    expect(columns.map((column) => column.key)).toEqual(['label', 'probability'])
    expect(resultRows(predictions, columns)[0].probability).toBeCloseTo(0.25)
  })

  it('has value, cluster, distance and component columns when rows carry them', () => {
    const predictions = resultView({
      predictions: [{ cluster: 1, distance: 0.5 }, { cluster: 2, distance: 0.25, components: [1, 2.5] }],
    }).predictions
    const columns = resultColumns(predictions)
    expect(columns.map((column) => column.key)).toEqual(['cluster', 'distance', 'components'])
    expect(resultRows(predictions, columns)[1]).toMatchObject({ cluster: 2, components: '1, 2.5' })
    expect(resultRows(predictions, columns)[0].components).toBeNull()
  })
})

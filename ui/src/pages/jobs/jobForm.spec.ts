import { describe, expect, it } from 'vitest'

import { checkStep, defaultOutput, formField, jobBody, newJobForm, presetExpression, stepOf, type JobForm } from './jobForm'
import { parseCron } from './cron'

function form(changes: Partial<JobForm> = {}): JobForm {
  return { ...newJobForm('Europe/Paris'), name: 'score', model: 'iris', inputDataset: 'rows', outputDataset: 'score-{run}', ...changes }
}

describe('checkStep', () => {
  it('wants a valid job name first', () => {
    expect(checkStep(form({ name: '' }), 0)).toEqual({ name: 'required' })
    expect(checkStep(form({ name: 'no spaces' }), 0)).toEqual({ name: 'name' })
    expect(checkStep(form(), 0)).toEqual({})
  })

  it('wants a model or a service, an input, and for evaluate a label column', () => {
    expect(checkStep(form({ model: undefined, inputDataset: undefined }), 1)).toEqual({
      'config.model': 'required', 'config.input_dataset': 'required' })
    expect(checkStep(form({ source: 'service', model: undefined }), 1)).toEqual({ 'config.service': 'required' })
    expect(checkStep(form({ kind: 'evaluate' }), 1)).toEqual({ 'config.label_column': 'required' })
  })

  it('checks the output name with its placeholders filled in', () => {
    expect(checkStep(form({ outputDataset: 'out {run}' }), 1)).toEqual({ 'config.output_dataset': 'name' })
    expect(checkStep(form({ outputDataset: '' }), 1)).toEqual({ 'config.output_dataset': 'required' })
    expect(checkStep(form({ kind: 'evaluate', labelColumn: 'y', outputDataset: '' }), 1)).toEqual({})
  })

  it('wants a script and valid environment variable names for script jobs', () => {
    expect(checkStep(form({ kind: 'script' }), 1)).toEqual({ 'config.source': 'required' })
    expect(checkStep(form({ kind: 'script', script: 'print(1)', env: [{ key: '1BAD', value: '' }] }), 1)).toEqual({
      'config.env': 'envName' })
  })

  it('wants a placeholder in the output of a scheduled job', () => {
    expect(checkStep(form({ scheduleMode: 'cron', outputDataset: 'fixed' }), 2)).toEqual({ 'config.output_dataset': 'placeholder' })
    expect(checkStep(form({ scheduleMode: 'cron', outputDataset: 'daily-{date}' }), 2)).toEqual({})
    expect(checkStep(form({ scheduleMode: 'manual', outputDataset: 'fixed' }), 2)).toEqual({})
  })
})

describe('jobBody', () => {
  it('builds a predict job with the latest model version and no schedule', () => {
    const body = jobBody(form({ passthrough: ['Species'] }))
    expect(body).toMatchObject({ name: 'score', kind: 'predict', schedule: null, timezone: 'Europe/Paris' })
    expect(body.config).toEqual({ model: 'iris', input_dataset: 'rows', output_dataset: 'score-{run}',
      passthrough: ['Species'], batch_size: 4096, concurrency: 2, num_cpus: 1 })
  })

  it('names the service instead of the model, and the label column for evaluate', () => {
    const body = jobBody(form({ kind: 'evaluate', source: 'service', service: 'iris-svc', version: 3, labelColumn: 'Species', outputDataset: '' }))
    expect(body.config).not.toHaveProperty('model')
    expect(body.config).not.toHaveProperty('version')
    expect(body.config).not.toHaveProperty('output_dataset')
    expect(body.config).toMatchObject({ service: 'iris-svc', label_column: 'Species' })
  })

  it('turns script rows and lines into the config the API expects', () => {
    const body = jobBody(form({ kind: 'script', script: 'print(1)', args: ['--fast'], pip: 'pandas\n\n  numpy==2.0 \n',
      env: [{ key: 'MODE', value: 'x' }, { key: ' ', value: 'ignored' }], scheduleMode: 'cron', schedule: ' 0 2 * * * ' }))
    expect(body.config).toEqual({ source: 'print(1)', args: ['--fast'], env: { MODE: 'x' }, pip: ['pandas', 'numpy==2.0'] })
    expect(body.schedule).toBe('0 2 * * *')
  })
})

describe('where API errors go', () => {
  it.each([
    ['name', 0, 'name'],
    ['config.input_dataset', 1, 'config.input_dataset'],
    ['config.env.FOO', 1, 'config.env'],
    ['config', 1, 'config'],
    ['schedule', 2, 'schedule'],
    ['timezone', 2, 'timezone'],
  ])('%s -> step %i, field %s', (field, step, key) => {
    expect(stepOf(field)).toBe(step)
    expect(formField(field)).toBe(key)
  })
  it('has no step for unknown or missing fields', () => {
    expect(stepOf(null)).toBeNull()
    expect(stepOf('file')).toBeNull()
  })
})

describe('presets and defaults', () => {
  it('makes valid cron expressions at the chosen time', () => {
    expect(presetExpression('daily', '02:30')).toBe('30 2 * * *')
    expect(presetExpression('weekdays', '07:05')).toBe('5 7 * * 1-5')
    expect(presetExpression('hourly', '07:05')).toBe('0 * * * *')
    for (const preset of ['hourly', 'daily', 'weekdays', 'weekly', 'monthly'] as const) {
      expect(parseCron(presetExpression(preset, '23:59'))).not.toBeNull()
    }
  })
  it('suggests one output dataset per run', () => {
    expect(defaultOutput('score')).toBe('score-{run}')
  })
})

import { describe, expect, it } from 'vitest'

import {
  applyPreset,
  deployBody,
  itemForField,
  memoryFromBytes,
  memoryFromText,
  memoryText,
  newDeployForm,
  presetLabel,
  presetList,
  presetMatches,
  resourceBody,
  resourceFormFromSpec,
  selectedPreset,
  suggestName,
  visibleFields,
} from './deployForm'
import en from '../../i18n/en/services'

describe('suggestName', () => {
  it('turns a model name into a DNS label', () => {
    expect(suggestName('iris')).toBe('iris')
    expect(suggestName('Iris_Tree v2')).toBe('iris-tree-v2')
    expect(suggestName('__x__')).toBe('x')
    expect(suggestName('a'.repeat(80))).toHaveLength(63)
  })
})

describe('memory', () => {
  it('writes sizes the API parses, nothing when empty', () => {
    expect(memoryText({ amount: 512, unit: 'Mi' })).toBe('512Mi')
    expect(memoryText({ amount: 1.5, unit: 'Gi' })).toBe('1.5Gi')
    expect(memoryText({ amount: undefined, unit: 'Gi' })).toBeUndefined()
  })
  it('reads bytes back in the unit a person would pick', () => {
    expect(memoryFromBytes(2 * 2 ** 30)).toEqual({ amount: 2, unit: 'Gi' })
    expect(memoryFromBytes(1.5 * 2 ** 30)).toEqual({ amount: 1.5, unit: 'Gi' })
    expect(memoryFromBytes(512 * 2 ** 20)).toEqual({ amount: 512, unit: 'Mi' })
    expect(memoryFromBytes(null)).toEqual({ amount: undefined, unit: 'Mi' })
  })
  it('round-trips through the form', () => {
    for (const bytes of [2 ** 30, 768 * 2 ** 20, 3 * 2 ** 30]) {
      const memory = memoryFromBytes(bytes)
      const factor = memory.unit === 'Gi' ? 2 ** 30 : 2 ** 20
      expect((memory.amount ?? 0) * factor).toBe(bytes)
    }
  })
})

describe('deployBody', () => {
  it('sends a fixed replica count with the defaults and the chosen model', () => {
    const body = deployBody(newDeployForm('iris', 2))
    expect(body).toMatchObject({ name: 'iris', model: 'iris', version: 2, replicas: 1, num_cpus: 1, timeout_s: 30 })
    expect(body).not.toHaveProperty('autoscaling')
    expect(body).not.toHaveProperty('batching')
    expect(body).not.toHaveProperty('memory')
  })
  it('sends autoscaling instead of replicas, and batching and memory when set', () => {
    const form = newDeployForm('iris')
    form.scaling = 'auto'
    form.autoscaling = { min_replicas: 0, max_replicas: 3, target_ongoing_requests: 5, downscale_delay_s: 60 }
    form.batching_enabled = true
    form.memory = { amount: 2, unit: 'Gi' }
    const body = deployBody(form)
    expect(body).not.toHaveProperty('replicas')
    expect(body.autoscaling).toEqual({ min_replicas: 0, max_replicas: 3, target_ongoing_requests: 5, downscale_delay_s: 60 })
    expect(body.batching).toEqual({ max_batch_size: 8, max_wait_ms: 5 })
    expect(body.memory).toBe('2Gi')
    expect(body).not.toHaveProperty('version')
  })
})

describe('resourceFormFromSpec', () => {
  it('fills the scale form from a service spec and sends the same values back', () => {
    const spec = { replicas: null, autoscaling: { min_replicas: 1, max_replicas: 6, target_ongoing_requests: 2,
      downscale_delay_s: 60 },
      num_cpus: 0.5, memory: 2 ** 30, num_gpus: 0 }
    const form = resourceFormFromSpec(spec)
    expect(form.scaling).toBe('auto')
    expect(resourceBody(form)).toEqual({ autoscaling: spec.autoscaling, num_cpus: 0.5, num_gpus: 0, memory: '1Gi' })
  })
  it('keeps a fixed count', () => {
    expect(resourceBody(resourceFormFromSpec({ replicas: 3, num_cpus: 2, memory: null, num_gpus: 1 })))
      .toEqual({ replicas: 3, num_cpus: 2, num_gpus: 1 })
  })
})

describe('where an API error goes', () => {
  const form = newDeployForm('iris')
  it('lists the items on screen', () => {
    expect(visibleFields(form)).toContain('replicas')
    expect(visibleFields(form)).not.toContain('batching.max_batch_size')
    form.scaling = 'auto'
    form.batching_enabled = true
    expect(visibleFields(form)).toEqual(expect.arrayContaining(['autoscaling.max_replicas', 'batching.max_wait_ms']))
    expect(visibleFields(form)).not.toContain('replicas')
    expect(visibleFields(resourceFormFromSpec({}))).not.toContain('name')
  })
  it('matches exact, deeper and group fields, and nothing else', () => {
    const items = visibleFields(form)
    expect(itemForField('num_cpus', items)).toBe('num_cpus')
    expect(itemForField('memory.int', items)).toBe('memory')
    expect(itemForField('autoscaling', items)).toBe('autoscaling.min_replicas')
    expect(itemForField('replicas', items)).toBeNull()
    expect(itemForField(null, items)).toBeNull()
  })
})

describe('memoryFromText', () => {
  it('keeps Mi and Gi sizes as written', () => {
    expect(memoryFromText('512Mi')).toEqual({ amount: 512, unit: 'Mi' })
    expect(memoryFromText('1.5Gi')).toEqual({ amount: 1.5, unit: 'Gi' })
    expect(memoryFromText(' 2048 Mi ')).toEqual({ amount: 2048, unit: 'Mi' })
  })
  it('converts other sizes the API accepts to the same number of bytes', () => {
    expect(memoryFromText(2 ** 30)).toEqual({ amount: 1, unit: 'Gi' })
    expect(memoryFromText('1Ti')).toEqual({ amount: 1024, unit: 'Gi' })
    expect(memoryFromText(`${256 * 2 ** 10}Ki`)).toEqual({ amount: 256, unit: 'Mi' })
    expect(memoryFromText(String(3 * 2 ** 20))).toEqual({ amount: 3, unit: 'Mi' })
  })
  it('rejects what the API would reject', () => {
    for (const value of ['lots', '-1Gi', '0Mi', 0, null, undefined, true, {}]) expect(memoryFromText(value), String(value)).toBeUndefined()
  })
})

describe('presets', () => {
  const raw = {
    small: { num_cpus: 0.5, memory: '512Mi' },
    medium: { num_cpus: 1, memory: '1Gi' },
    gpu: { num_cpus: 4, memory: '16Gi', num_gpus: 1, timeout_s: 120 },
    cpu2: { num_cpus: 2 },
    broken: { memory: 'lots', batching: { max_batch_size: 4 } },
  }
  const presets = presetList(raw)
  const byName = (name: string) => presets.find((preset) => preset.name === name)!

  it('reads the resource fields of each preset and drops presets that set none', () => {
    expect(presets.map((preset) => preset.name)).toEqual(['small', 'medium', 'gpu', 'cpu2'])
    expect(byName('small').values).toEqual({ num_cpus: 0.5, memory: { amount: 512, unit: 'Mi' } })
    expect(byName('gpu').values).toEqual({ num_cpus: 4, memory: { amount: 16, unit: 'Gi' }, num_gpus: 1 })
  })

  it('fills the form so the request carries the preset\'s values, leaving the rest alone', () => {
    const form = newDeployForm('iris')
    form.replicas = 3
    applyPreset(form, byName('gpu').values)
    expect(deployBody(form)).toMatchObject({ replicas: 3, num_cpus: 4, memory: '16Gi', num_gpus: 1, timeout_s: 30 })
    applyPreset(form, byName('cpu2').values)
    expect(deployBody(form)).toMatchObject({ num_cpus: 2, memory: '16Gi', num_gpus: 1 })
  })

  it('stays selected until a field it set is edited', () => {
    const form = newDeployForm('iris')
    expect(selectedPreset(form, presets)).toBeUndefined()
    applyPreset(form, byName('small').values)
    expect(selectedPreset(form, presets, 'small')).toBe('small')
    form.replicas = 5
    expect(selectedPreset(form, presets, 'small')).toBe('small')
    form.memory.unit = 'Gi'
    expect(presetMatches(form, byName('small').values)).toBe(false)
    expect(selectedPreset(form, presets, 'small')).toBeUndefined()
  })

  it('prefers the chosen preset when several match, and shows a matching one otherwise', () => {
    const form = resourceFormFromSpec({ num_cpus: 2, memory: 2 ** 30, num_gpus: 0 })
    expect(selectedPreset(form, presets)).toBe('cpu2')
    applyPreset(form, byName('medium').values)
    expect(selectedPreset(form, presets, 'medium')).toBe('medium')
    form.num_cpus = 2
    expect(selectedPreset(form, presets, 'medium')).toBe('cpu2')
  })

  it('labels a preset with its name and what it sets', () => {
    const t = (key: string, named: Record<string, unknown>) => {
      const text = key.split('.').slice(1).reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], en) as string
      return text.replace(/\{(\w+)\}/g, (_, name: string) => String(named[name]))
    }
    expect(presetLabel(byName('small'), t)).toBe('small — 0.5 CPU, 512 MiB')
    expect(presetLabel(byName('gpu'), t)).toBe('gpu — 4 CPU, 16 GiB, 1 GPU')
    expect(presetLabel(byName('cpu2'), t)).toBe('cpu2 — 2 CPU')
  })
})

/** The deploy form and the scale form: values, defaults, request bodies, and where an API error belongs. */
import type { components } from '../../api/schema'

type Schemas = components['schemas']
export type ServiceCreate = Schemas['ServiceCreate']
export type ServiceUpdate = Schemas['ServiceUpdate']

export const MEMORY_UNITS = ['Mi', 'Gi'] as const
export type MemoryUnit = (typeof MEMORY_UNITS)[number]
const UNIT_BYTES: Record<MemoryUnit, number> = { Mi: 2 ** 20, Gi: 2 ** 30 }

/** Replica count and reservations per replica. */
export interface ResourceForm {
  scaling: 'fixed' | 'auto'
  replicas: number
  autoscaling: Schemas['Autoscaling']
  num_cpus: number
  /** No amount: no memory reservation. */
  memory: { amount: number | undefined; unit: MemoryUnit }
  num_gpus: number
}

/** How replicas take requests. */
export interface RequestForm {
  max_ongoing_requests: number
  max_queued_requests: number
  batching_enabled: boolean
  batching: Schemas['Batching']
  timeout_s: number
}

export interface DeployForm extends ResourceForm, RequestForm {
  name: string
  model: string | undefined
  version: number | undefined
}

/** The platform's defaults (ServiceSpec, Autoscaling and Batching in daas/platform/services/spec.py). */
const DEFAULTS = {
  replicas: 1,
  autoscaling: { min_replicas: 1, max_replicas: 4, target_ongoing_requests: 2, downscale_delay_s: 600 },
  num_cpus: 1,
  num_gpus: 0,
  max_ongoing_requests: 16,
  max_queued_requests: 64,
  batching: { max_batch_size: 8, max_wait_ms: 5 },
  timeout_s: 30,
}

export function newDeployForm(model?: string, version?: number): DeployForm {
  return {
    name: model ? suggestName(model) : '',
    model,
    version,
    scaling: 'fixed',
    replicas: DEFAULTS.replicas,
    autoscaling: { ...DEFAULTS.autoscaling },
    num_cpus: DEFAULTS.num_cpus,
    memory: { amount: undefined, unit: 'Mi' },
    num_gpus: DEFAULTS.num_gpus,
    max_ongoing_requests: DEFAULTS.max_ongoing_requests,
    max_queued_requests: DEFAULTS.max_queued_requests,
    batching_enabled: false,
    batching: { ...DEFAULTS.batching },
    timeout_s: DEFAULTS.timeout_s,
  }
}

/** A service name (a DNS label) from a model name: lowercase, '-' for anything else, at most 63 characters. */
export function suggestName(model: string): string {
  return model
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '')
}

/** '512Mi' / '1.5Gi' as the API accepts it, or undefined for no reservation. */
export function memoryText(memory: ResourceForm['memory']): string | undefined {
  return memory.amount ? `${memory.amount}${memory.unit}` : undefined
}

/** Bytes as an amount of Gi when that is a round number (to 0.01), of Mi otherwise. */
export function memoryFromBytes(bytes: number | null | undefined): ResourceForm['memory'] {
  if (!bytes) return { amount: undefined, unit: 'Mi' }
  const gib = bytes / UNIT_BYTES.Gi
  if (gib >= 1 && Math.abs(gib * 100 - Math.round(gib * 100)) < 1e-9) return { amount: Math.round(gib * 100) / 100, unit: 'Gi' }
  return { amount: Math.round((bytes / UNIT_BYTES.Mi) * 100) / 100, unit: 'Mi' }
}

/** A memory size as the API writes it ('512Mi', '1.5Gi', '1G', bytes) in the form's amount and unit, or undefined. */
export function memoryFromText(value: unknown): ResourceForm['memory'] | undefined {
  if (typeof value === 'number') return value > 0 ? memoryFromBytes(Math.floor(value)) : undefined
  // The sizes daas/platform/services/spec.py parses.
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?|[kmgt]i?|B|b)?\s*$/.exec(value) : null
  if (!match) return undefined
  const amount = Number(match[1])
  if (!(amount > 0)) return undefined
  const unit = (match[2] ?? '').toLowerCase()
  if (unit === 'mi') return { amount, unit: 'Mi' }
  if (unit === 'gi') return { amount, unit: 'Gi' }
  const factor: Record<string, number> = { '': 1, b: 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 2 ** 10, ti: 2 ** 40 }
  return memoryFromBytes(Math.floor(amount * factor[unit]))
}

/** GET /api/v1/presets: each preset's deploy-form values. */
export type PresetMap = Record<string, Record<string, unknown>>
/** What a preset sets in the resource fields; its other keys are ignored. */
export type PresetValues = Partial<Pick<ResourceForm, 'num_cpus' | 'memory' | 'num_gpus'>>
export interface Preset {
  name: string
  values: PresetValues
}

/** The presets that set at least one resource field, with their values in form terms. */
export function presetList(presets: PresetMap): Preset[] {
  return Object.entries(presets)
    .map(([name, raw]): Preset => {
      const values: PresetValues = {}
      if (typeof raw.num_cpus === 'number') values.num_cpus = raw.num_cpus
      const memory = memoryFromText(raw.memory)
      if (memory) values.memory = memory
      if (typeof raw.num_gpus === 'number') values.num_gpus = raw.num_gpus
      return { name, values }
    })
    .filter((preset) => Object.keys(preset.values).length > 0)
}

export function applyPreset(form: ResourceForm, values: PresetValues): void {
  if (values.num_cpus !== undefined) form.num_cpus = values.num_cpus
  if (values.memory) form.memory = { ...values.memory }
  if (values.num_gpus !== undefined) form.num_gpus = values.num_gpus
}

/** Whether the form still holds every value the preset sets. */
export function presetMatches(form: ResourceForm, values: PresetValues): boolean {
  return (
    (values.num_cpus === undefined || form.num_cpus === values.num_cpus) &&
    (values.memory === undefined || (form.memory.amount === values.memory.amount && form.memory.unit === values.memory.unit)) &&
    (values.num_gpus === undefined || form.num_gpus === values.num_gpus)
  )
}

/**
 * The preset the form shows as chosen: the one the user picked while the form still holds its values,
 * else the first preset whose values it holds, else none ("custom").
 */
export function selectedPreset(form: ResourceForm, presets: Preset[], chosen?: string): string | undefined {
  const matching = presets.filter((preset) => presetMatches(form, preset.values)).map((preset) => preset.name)
  return chosen && matching.includes(chosen) ? chosen : matching[0]
}

type Translate = (key: string, named: Record<string, unknown>) => string

/** 'small — 0.5 CPU, 512 MiB': the preset's name and what it sets. */
export function presetLabel(preset: Preset, t: Translate): string {
  const { num_cpus, memory, num_gpus } = preset.values
  const parts = [
    ...(num_cpus !== undefined ? [t('services.form.preset.cpus', { count: num_cpus })] : []),
    ...(memory ? [t('services.form.preset.memory', { amount: memory.amount, unit: `${memory.unit}B` })] : []),
    ...(num_gpus !== undefined ? [t('services.form.preset.gpus', { count: num_gpus })] : []),
  ]
  return t('services.form.preset.option', { name: preset.name, values: parts.join(t('services.form.preset.separator', {})) })
}

/** The resource part of a create or update body. */
export function resourceBody(form: ResourceForm): ServiceUpdate {
  return {
    ...(form.scaling === 'auto' ? { autoscaling: { ...form.autoscaling } } : { replicas: form.replicas }),
    num_cpus: form.num_cpus,
    num_gpus: form.num_gpus,
    ...(memoryText(form.memory) ? { memory: memoryText(form.memory) } : {}),
  }
}

export function deployBody(form: DeployForm): ServiceCreate {
  return {
    name: form.name.trim(),
    model: form.model ?? '',
    ...(form.version ? { version: form.version } : {}),
    ...resourceBody(form),
    max_ongoing_requests: form.max_ongoing_requests,
    max_queued_requests: form.max_queued_requests,
    ...(form.batching_enabled ? { batching: { ...form.batching } } : {}),
    timeout_s: form.timeout_s,
  }
}

/** The scale form filled from a service's current spec. */
export function resourceFormFromSpec(spec: Record<string, unknown>): ResourceForm {
  const autoscaling = spec.autoscaling as ResourceForm['autoscaling'] | null | undefined
  return {
    scaling: autoscaling ? 'auto' : 'fixed',
    replicas: typeof spec.replicas === 'number' ? spec.replicas : DEFAULTS.replicas,
    autoscaling: { ...DEFAULTS.autoscaling, ...(autoscaling ?? {}) },
    num_cpus: typeof spec.num_cpus === 'number' ? spec.num_cpus : DEFAULTS.num_cpus,
    memory: memoryFromBytes(typeof spec.memory === 'number' ? spec.memory : null),
    num_gpus: typeof spec.num_gpus === 'number' ? spec.num_gpus : DEFAULTS.num_gpus,
  }
}

/** The form items shown for these values (their `field` names follow the API's field paths). */
export function visibleFields(form: ResourceForm & Partial<DeployForm>): string[] {
  const fields = 'name' in form ? ['name', 'model', 'version'] : []
  fields.push(
    ...(form.scaling === 'auto'
      ? ['autoscaling.min_replicas', 'autoscaling.max_replicas', 'autoscaling.target_ongoing_requests',
         'autoscaling.downscale_delay_s']
      : ['replicas']),
    'num_cpus',
    'memory',
    'num_gpus',
  )
  if ('timeout_s' in form) {
    fields.push('max_ongoing_requests', 'max_queued_requests', 'timeout_s')
    if (form.batching_enabled) fields.push('batching.max_batch_size', 'batching.max_wait_ms')
  }
  return fields
}

/**
 * The form item an API error names: the field itself, the item holding a deeper path
 * ('memory.int' -> 'memory'), or the first item under a group ('autoscaling' -> its first item).
 */
export function itemForField(field: string | null, items: string[]): string | null {
  if (!field) return null
  return (
    items.find((item) => field === item || field.startsWith(`${item}.`)) ??
    items.find((item) => item.startsWith(`${field}.`)) ??
    null
  )
}

/** The job wizard's form: defaults, checks per step, the API body, and where API errors belong. */
import type { components } from '../../api/schema'
import { isValidName } from '../datasets/names'

export type JobKind = 'predict' | 'evaluate' | 'script'
export const JOB_KINDS: JobKind[] = ['predict', 'evaluate', 'script']
export type JobCreateBody = components['schemas']['JobCreate']

export interface EnvRow {
  key: string
  value: string
}

export interface JobForm {
  kind: JobKind
  name: string
  /** Score with a model version, or with whatever version a service serves when the run starts. */
  source: 'model' | 'service'
  model: string | undefined
  /** undefined: the latest version when the run starts */
  version: number | undefined
  service: string | undefined
  inputDataset: string | undefined
  outputDataset: string
  passthrough: string[]
  labelColumn: string | undefined
  batchSize: number
  concurrency: number
  numCpus: number
  script: string
  args: string[]
  env: EnvRow[]
  /** One requirement per line. */
  pip: string
  scheduleMode: 'manual' | 'cron'
  schedule: string
  timezone: string
  enabled: boolean
  allowOverlap: boolean
  catchUp: boolean
}

export function newJobForm(timezone: string): JobForm {
  return {
    kind: 'predict', name: '', source: 'model', model: undefined, version: undefined, service: undefined,
    inputDataset: undefined, outputDataset: '', passthrough: [], labelColumn: undefined,
    batchSize: 4096, concurrency: 2, numCpus: 1,
    script: '', args: [], env: [], pip: '',
    scheduleMode: 'manual', schedule: '0 2 * * *', timezone, enabled: true, allowOverlap: false, catchUp: true,
  }
}

/** The output name a new job suggests: one dataset per run. */
export function defaultOutput(jobName: string): string {
  return `${jobName || 'job'}-{run}`
}

const PLACEHOLDERS = /\{run\}|\{date\}/
/** Message parameters that print the placeholders themselves (vue-i18n reads braces). */
export const PLACEHOLDER_WORDS = { run: '{run}', date: '{date}' }

/** Form fields, named as the API names them in error details. */
export type Field =
  | 'name' | 'kind'
  | 'config.model' | 'config.version' | 'config.service' | 'config.input_dataset' | 'config.output_dataset'
  | 'config.passthrough' | 'config.label_column' | 'config.batch_size' | 'config.concurrency' | 'config.num_cpus'
  | 'config.source' | 'config.args' | 'config.env' | 'config.pip'
  | 'schedule' | 'timezone'

/** Problems found before sending: field -> message key under `jobs.check.`. */
export type Problems = Partial<Record<Field, string>>

export const STEPS = ['basics', 'config', 'schedule'] as const

/** The wizard step holding a field the API blamed (config fields: step 1). */
export function stepOf(field: string | null): number | null {
  if (field === null) return null
  if (field === 'name' || field === 'kind') return 0
  if (field === 'config' || field.startsWith('config.')) return 1
  if (['schedule', 'timezone', 'enabled', 'allow_overlap', 'catch_up'].includes(field)) return 2
  return null
}

/** The form field of an API field name: "config.env.FOO" -> "config.env". */
export function formField(field: string | null): string | null {
  if (field === null) return null
  return field.startsWith('config.') ? field.split('.').slice(0, 2).join('.') : field.split('.')[0]
}

/** Messages shown under form fields, by field. */
export type FieldErrors = Partial<Record<string, string>>

/** Arco form-item props showing a field's error, if it has one. */
export function errorProps(errors: FieldErrors, field: Field): { validateStatus?: 'error'; help?: string } {
  const message = errors[field]
  return message ? { validateStatus: 'error', help: message } : {}
}

/** What stops the user from leaving ``step``. */
export function checkStep(form: JobForm, step: number): Problems {
  const problems: Problems = {}
  if (step === 0) {
    if (!form.name.trim()) problems.name = 'required'
    else if (!isValidName(form.name.trim())) problems.name = 'name'
  } else if (step === 1 && form.kind === 'script') {
    if (!form.script.trim()) problems['config.source'] = 'required'
    if (form.env.some((row) => row.key && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(row.key))) problems['config.env'] = 'envName'
  } else if (step === 1) {
    if (form.source === 'model' && !form.model) problems['config.model'] = 'required'
    if (form.source === 'service' && !form.service) problems['config.service'] = 'required'
    if (!form.inputDataset) problems['config.input_dataset'] = 'required'
    if (form.kind === 'evaluate' && !form.labelColumn) problems['config.label_column'] = 'required'
    const output = form.outputDataset.trim()
    if (!output && form.kind === 'predict') problems['config.output_dataset'] = 'required'
    else if (output && !isValidName(output.replace(/\{run\}/g, '1').replace(/\{date\}/g, '20250101'))) {
      problems['config.output_dataset'] = 'name'
    }
  } else if (step === 2 && form.scheduleMode === 'cron') {
    if (!form.schedule.trim()) problems.schedule = 'required'
    const output = form.outputDataset.trim()
    if (form.kind !== 'script' && output && !PLACEHOLDERS.test(output)) problems['config.output_dataset'] = 'placeholder'
  }
  return problems
}

function configOf(form: JobForm): Record<string, unknown> {
  if (form.kind === 'script') {
    const env = Object.fromEntries(form.env.filter((row) => row.key.trim()).map((row) => [row.key.trim(), row.value]))
    const pip = form.pip.split('\n').map((line) => line.trim()).filter(Boolean)
    return { source: form.script, args: form.args, env, pip }
  }
  const scorer = form.source === 'service'
    ? { service: form.service }
    : { model: form.model, ...(form.version !== undefined ? { version: form.version } : {}) }
  const output = form.outputDataset.trim()
  return {
    ...scorer,
    input_dataset: form.inputDataset,
    ...(output || form.kind === 'predict' ? { output_dataset: output } : {}),
    passthrough: form.passthrough,
    ...(form.kind === 'evaluate' ? { label_column: form.labelColumn } : {}),
    batch_size: form.batchSize,
    concurrency: form.concurrency,
    num_cpus: form.numCpus,
  }
}

/** The body of POST /api/v1/jobs. */
export function jobBody(form: JobForm): JobCreateBody {
  return {
    name: form.name.trim(),
    kind: form.kind,
    config: configOf(form),
    schedule: form.scheduleMode === 'cron' ? form.schedule.trim() : null,
    timezone: form.timezone,
    enabled: form.enabled,
    allow_overlap: form.allowOverlap,
    catch_up: form.catchUp,
  }
}

export type CronPreset = 'hourly' | 'daily' | 'weekdays' | 'weekly' | 'monthly'
export const CRON_PRESETS: CronPreset[] = ['hourly', 'daily', 'weekdays', 'weekly', 'monthly']

/** The expression of a preset at a wall-clock time "HH:mm" (hourly runs on the hour). */
export function presetExpression(preset: CronPreset, at: string): string {
  if (preset === 'hourly') return '0 * * * *'
  const [hour, minute] = at.split(':').map((part) => Number(part) || 0)
  const days = { daily: '* * *', weekdays: '* * 1-5', weekly: '* * 1', monthly: '1 * *' }[preset]
  return `${minute} ${hour} ${days}`
}

/** Dataset and job names follow the platform's model-name rule. */

/** 1-64 letters, digits, '.', '_' or '-', starting and ending with a letter or digit. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/

export function isValidName(name: string): boolean {
  return NAME.test(name) && !name.includes('..')
}

export type DatasetFormat = 'csv' | 'parquet' | 'jsonl'
export const DATASET_FORMATS: DatasetFormat[] = ['csv', 'parquet', 'jsonl']

/** A valid dataset name made from a file name or URL: "My data (2).csv" -> "My-data-2". */
export function nameFromFile(filename: string): string {
  const base = filename.split(/[/\\]/).pop()!.split(/[?#]/)[0]
  const stem = base.includes('.') && !base.startsWith('.') ? base.slice(0, base.indexOf('.')) : base
  return stem
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .slice(0, 64)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
}

import { describe, expect, it } from 'vitest'

import { isValidName, nameFromFile } from './names'

describe('isValidName', () => {
  it.each(['iris', 'Iris.v2', 'a', 'scores_2025-01', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(isValidName(name)).toBe(true)
  })
  it.each(['', '-iris', 'iris.', 'a b', 'a/b', 'a..b', 'x'.repeat(65), 'données'])('refuses %j', (name) => {
    expect(isValidName(name)).toBe(false)
  })
})

describe('nameFromFile', () => {
  it.each([
    ['Iris.csv', 'Iris'],
    ['sales 2024 (final).csv.gz', 'sales-2024-final'],
    ['/tmp/data/scores.parquet', 'scores'],
    ['https://example.com/files/events.jsonl?token=abc', 'events'],
    ['__weird__.csv', 'weird'],
  ])('%s -> %s', (file, name) => {
    expect(nameFromFile(file)).toBe(name)
    expect(isValidName(nameFromFile(file))).toBe(true)
  })

  it('keeps the result within 64 characters', () => {
    expect(isValidName(nameFromFile(`${'a'.repeat(100)}.csv`))).toBe(true)
  })
})

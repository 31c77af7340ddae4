import { describe, expect, it } from 'vitest'

import { keepKey, takeKey } from './oneTimeKey'

describe('one-time key', () => {
  it('is read once, for its own service only', () => {
    keepKey('iris', 'secret')
    expect(takeKey('other')).toBeNull()
    expect(takeKey('iris')).toBe('secret')
    expect(takeKey('iris')).toBeNull()
  })
})

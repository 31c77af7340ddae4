import { describe, expect, it } from 'vitest'

import { describeCron, parseCron } from './cron'

describe('parseCron', () => {
  it('splits a five-field expression and expands the shorthands', () => {
    expect(parseCron(' */20 9-11 1,15 jan-mar mon-fri ')).toEqual(['*/20', '9-11', '1,15', 'jan-mar', 'mon-fri'])
    expect(parseCron('@daily')).toEqual(parseCron('0 0 * * *'))
    expect(parseCron('@HOURLY')).toEqual(parseCron('0 * * * *'))
  })

  it.each(['', '* * * *', '* * * * * *', '0 0 1 1 * 2030', '@reboot', '*/x * * * *', '1,,2 * * * *', '1/2/3 * * * *',
    '0 0 L * *', '0 0 * * 5#2', '0 0 ? * *', '* * * * mon-'])('refuses %j, which the platform does not take', (expression) => {
    expect(parseCron(expression)).toBeNull()
    expect(describeCron(expression, 'en')).toBeNull()
  })
})

describe('describeCron', () => {
  it.each(['60 * * * *', '* 24 * * *', '0 0 0 * *', '* * * 13 *', '* * * * 8', '*/0 * * * *', 'foo * * * *'])(
    'has no words for %j, whose values are out of range', (expression) => {
      expect(describeCron(expression, 'en')).toBeNull()
    })

  it.each([
    ['* * * * *', 'Every minute'],
    ['*/15 * * * *', 'Every 15 minutes'],
    ['0 6 * * *', 'At 06:00'],
    ['30 8,18 * * *', 'At 08:30 and 18:30'],
    ['0 6 * * 1-5', 'At 06:00, Monday through Friday'],
    ['0 0 1 * mon', 'At 00:00, on day 1 of the month, and on Monday'],
    ['0 0 * * 7', 'At 00:00, only on Sunday'],
    ['@weekly', 'At 00:00, only on Sunday'],
  ])('says %s in English: %s', (expression, sentence) => {
    expect(describeCron(expression, 'en')).toBe(sentence)
  })

  it.each([
    ['* * * * *', '每分钟'],
    ['0 6 * * 1-5', '在06:00, 星期一至星期五'],
    ['0 0 1 * mon', '在00:00, 限每月 1 号, 或者为星期一'],
  ])('says %s in Chinese: %s', (expression, sentence) => {
    expect(describeCron(expression, 'zh-CN')).toBe(sentence)
  })

  it('reads a day field starting with * as no restriction, as cron does', () => {
    // Odd days that are Mondays, not odd days or Mondays.
    expect(describeCron('0 0 */2 * mon', 'en')).toBe('At 00:00, every 2 days in a month, only on Monday')
  })
})

import { describe, expect, it } from 'vitest'

import { describeCron, parseCron } from './cron'

describe('parseCron', () => {
  it('expands steps, ranges, lists and names like the platform', () => {
    const schedule = parseCron('*/20 9-11 1,15 jan-mar mon-fri')!
    expect(schedule.minutes).toEqual([0, 20, 40])
    expect(schedule.hours).toEqual([9, 10, 11])
    expect(schedule.days).toEqual([1, 15])
    expect(schedule.months).toEqual([1, 2, 3])
    expect(schedule.weekdays).toEqual([1, 2, 3, 4, 5])
  })

  it('reads a/n as running to the end of the field and Sunday as 0 or 7', () => {
    expect(parseCron('50/5 * * * *')!.minutes).toEqual([50, 55])
    expect(parseCron('0 0 * * 7')!.weekdays).toEqual([0])
    expect(parseCron('0 0 * * 5-7')!.weekdays).toEqual([0, 5, 6])
  })

  it('knows the shorthands', () => {
    expect(parseCron('@daily')).toEqual(parseCron('0 0 * * *'))
    expect(parseCron('@HOURLY')).toEqual(parseCron('0 * * * *'))
  })

  it('marks a day field restricted unless it starts with *', () => {
    expect(parseCron('0 0 1 * mon')).toMatchObject({ daysRestricted: true, weekdaysRestricted: true })
    expect(parseCron('0 0 */2 * *')).toMatchObject({ daysRestricted: false, weekdaysRestricted: false })
  })

  it.each(['', '* * * *', '* * * * * *', '60 * * * *', '* 24 * * *', '0 0 0 * *', '* * * 13 *', '* * * * 8',
    '5-1 * * * *', '*/0 * * * *', '*/x * * * *', '1,,2 * * * *', 'foo * * * *', '1/2/3 * * * *'])(
    'refuses %j', (expression) => {
      expect(parseCron(expression)).toBeNull()
      expect(describeCron(expression, 'en')).toBeNull()
    })
})

describe('describeCron in English', () => {
  it.each([
    ['* * * * *', 'Every minute'],
    ['*/15 * * * *', 'Every 15 minutes'],
    ['0 * * * *', 'Every hour'],
    ['5 * * * *', 'Every hour at minute 5'],
    ['0 */6 * * *', 'Every 6 hours'],
    ['0 6 * * *', 'At 06:00, every day'],
    ['30 8,18 * * *', 'At 08:30 and 18:30, every day'],
    ['0 6 * * 1-5', 'At 06:00, on Monday through Friday'],
    ['0 10 * * sat,sun', 'At 10:00, on Saturday and Sunday'],
    ['0 9 * * 1,3,5', 'At 09:00, on Monday, Wednesday, and Friday'],
    ['0 0 1 * *', 'At 00:00, on day 1 of the month'],
    ['0 0 1-7 * *', 'At 00:00, on days 1 through 7 of the month'],
    ['0 0 1 1 *', 'At 00:00, on day 1 of the month, in January'],
    ['0 0 1 * mon', 'At 00:00, on day 1 of the month or on Monday'],
    ['0 0 */2 * *', 'At 00:00, every 2 days'],
    ['*/10 9-17 * * 1-5', 'Every 10 minutes, between 09:00 and 17:59, on Monday through Friday'],
    ['* 9 * * *', 'Every minute, between 09:00 and 09:59'],
    ['30 8-20 * * *', 'Every hour from 08:30 to 20:30, every day'],
    ['0,30 * * * *', 'Every 30 minutes'],
    ['5,35 * * * *', 'At minutes 5 and 35 of every hour'],
    ['0-10 * * * *', 'At minutes 0 through 10 of every hour'],
    ['0 0 * 1-3,12 *', 'At 00:00, every day, in January through March and December'],
    ['@weekly', 'At 00:00, on Sunday'],
  ])('%s -> %s', (expression, sentence) => {
    expect(describeCron(expression, 'en')).toBe(sentence)
  })
})

describe('describeCron in Chinese', () => {
  it.each([
    ['* * * * *', '每分钟'],
    ['*/15 * * * *', '每15分钟'],
    ['0 * * * *', '每小时'],
    ['5 * * * *', '每小时的第5分钟'],
    ['0 6 * * *', '每天 06:00'],
    ['0 6 * * 1-5', '每周一至周五 06:00'],
    ['0 9 * * 1,3,5', '每周一、周三和周五 09:00'],
    ['0 0 1 * *', '每月1日 00:00'],
    ['0 0 1 1 *', '1月1日 00:00'],
    ['0 0 1 * mon', '每月1日或每周一 00:00'],
    ['*/10 9-17 * * 1-5', '每周一至周五，09:00至17:59之间每10分钟'],
    ['0 0 * 1-3 *', '1月至3月的每天 00:00'],
  ])('%s -> %s', (expression, sentence) => {
    expect(describeCron(expression, 'zh-CN')).toBe(sentence)
  })
})

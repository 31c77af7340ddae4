import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'

import ProbabilityBars from './ProbabilityBars.vue'

describe('ProbabilityBars', () => {
  it('draws one bar per class as wide as its probability, the winner highlighted', () => {
    const wrapper = mount(ProbabilityBars, {
      props: { items: [{ label: 'a', probability: 0.75 }, { label: 'b', probability: 0.25 }], highlight: 'a' },
    })
    const bars = wrapper.findAll('li')
    expect(bars.map((bar) => bar.find('.name').text())).toEqual(['a', 'b'])
    expect(bars[0].find('.fill').attributes('style')).toContain('width: 75%')
    expect(bars[0].find('.value').text()).toBe('75.0%')
    expect(bars[0].classes()).toContain('top')
    expect(bars[1].classes()).not.toContain('top')
  })

  it('keeps bars within 0..100% and marks a missing probability', () => {
    const wrapper = mount(ProbabilityBars, {
      props: { items: [{ label: 'x', probability: 1.2 }, { label: 'y', probability: null }] },
    })
    const [x, y] = wrapper.findAll('li')
    expect(x.find('.fill').attributes('style')).toContain('width: 100%')
    expect(y.find('.fill').attributes('style')).toContain('width: 0%')
    expect(y.find('.value').text()).toBe('—')
  })

  it('draws only the first classes up to the limit', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ label: `c${i}`, probability: 1 / 12 }))
    expect(mount(ProbabilityBars, { props: { items, limit: 5 } }).findAll('li')).toHaveLength(5)
  })
})

import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'

import LineChart from './LineChart.vue'

const series = [
  { name: 'Requests', points: [{ x: 0, y: 4 }, { x: 10_000, y: 8 }, { x: 20_000, y: 2 }] },
  { name: 'Errors', points: [{ x: 0, y: 0 }, { x: 10_000, y: null }, { x: 20_000, y: 1 }] },
]

describe('LineChart', () => {
  it('draws one line per series with a legend and labelled axes', () => {
    const chart = mount(LineChart, { props: { series, title: 'Traffic', formatY: (y: number) => `${y}` } })
    expect(chart.get('svg').attributes('aria-label')).toBe('Traffic')
    expect(chart.findAll('path.line')).toHaveLength(2)
    expect(chart.get('figcaption').text()).toContain('Requests')
    expect(chart.get('figcaption').text()).toContain('Errors')
    const yLabels = chart.findAll('.grid text').map((t) => t.text())
    expect(yLabels).toContain('0')
    expect(yLabels).toContain('8')
  })
  it('shows every series value at the hovered time', async () => {
    const chart = mount(LineChart, { props: { series, title: 'Traffic', formatX: (x: number) => `t=${x}` } })
    await chart.get('svg').trigger('mousemove', { clientX: 9999 })
    const tip = chart.get('.tooltip').text()
    expect(tip).toContain('t=20000')
    expect(tip).toContain('Requests: 2')
    expect(tip).toContain('Errors: 1')
    await chart.get('svg').trigger('mouseleave')
    expect(chart.find('.tooltip').exists()).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'

import ConfusionMatrix from './ConfusionMatrix.vue'

function render(labels: string[], matrix: number[][]) {
  return mount(ConfusionMatrix, { props: { labels, matrix, actualTitle: 'Actual', predictedTitle: 'Predicted' } })
}

describe('ConfusionMatrix', () => {
  it('shows one cell per actual/predicted pair with its count, labelled by both', () => {
    const wrapper = render(['cat', 'dog'], [[8, 2], [0, 10]])
    const cells = wrapper.findAll('td')
    expect(cells).toHaveLength(4)
    expect(cells.map((cell) => cell.find('.count').text())).toEqual(['8', '2', '0', '10'])
    expect(cells[1].attributes('aria-label')).toBe('Actual cat, Predicted dog: 2')
    expect(wrapper.findAll('tbody th').map((th) => th.text())).toEqual(['cat', 'dog'])
    expect(wrapper.findAll('thead th.mono').map((th) => th.text())).toEqual(['cat', 'dog'])
  })

  it('shades by share of the actual row: right in green, wrong in red, empty cells plain', () => {
    const cells = render(['a', 'b'], [[8, 2], [0, 10]]).findAll('td')
    const alpha = (style: string | undefined) => Number(/,\s*([\d.]+)\)/.exec(style ?? '')?.[1] ?? 0)
    expect(cells[0].attributes('style')).toContain('--green-6')
    expect(cells[1].attributes('style')).toContain('--red-6')
    expect(alpha(cells[0].attributes('style'))).toBeGreaterThan(alpha(cells[1].attributes('style')))
    expect(cells[2].attributes('style') ?? '').not.toContain('background')
    expect(cells[0].find('.percent').text()).toBe('80%')
  })

  it('copes with an actual label that has no rows', () => {
    const cells = render(['a', 'b'], [[0, 0], [1, 1]]).findAll('td')
    expect(cells[0].find('.percent').text()).toBe('0%')
  })
})

import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ArcoVue from '@arco-design/web-vue'

import DataTable from './DataTable.vue'

function render(props: InstanceType<typeof DataTable>['$props']) {
  return mount(DataTable, { props, global: { plugins: [ArcoVue] } })
}

describe('DataTable', () => {
  it('shows every row under its column, with the column type and nulls marked', () => {
    const wrapper = render({
      columns: [{ name: 'Sepal.Length', type: 'double' }, { name: 'Species', type: 'string' }],
      rows: [{ 'Sepal.Length': 5.1, Species: 'setosa' }, { 'Sepal.Length': null, Species: 'virginica' }],
    })
    const headers = wrapper.findAll('th').map((th) => th.text())
    expect(headers).toEqual(['Sepal.Lengthdouble', 'Speciesstring'])
    const rows = wrapper.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()))
    expect(rows).toEqual([['5.1', 'setosa'], ['null', 'virginica']])
  })

  it('accepts plain column names and shows nested values as JSON', () => {
    const wrapper = render({ columns: ['tags'], rows: [{ tags: ['a', 'b'] }, { tags: { k: 1 } }] })
    expect(wrapper.findAll('tbody td').map((td) => td.text())).toEqual(['["a","b"]', '{"k":1}'])
  })
})

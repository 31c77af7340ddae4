import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, nextTick, ref } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'

import { usePagedList } from './usePagedList'

function setup() {
  const calls: { offset: number; limit: number }[] = []
  const search = ref('')
  let list!: ReturnType<typeof usePagedList<{ total: number }>>
  const wrapper = mount(defineComponent({
    setup() {
      list = usePagedList(async (page) => {
        calls.push(page)
        return { total: 95 }
      })
      list.reloadAfterTyping(search)
      return () => null
    },
  }))
  return { calls, search, list: () => list, wrapper }
}

describe('usePagedList', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('asks for the chosen page and size, and a new size starts again at page 1', async () => {
    const { calls, list } = setup()
    await flushPromises()
    expect(calls).toEqual([{ offset: 0, limit: 20 }])
    expect(list().pagination.value).toMatchObject({ current: 1, pageSize: 20, total: 95 })
    list().changePage(3)
    await flushPromises()
    expect(calls.at(-1)).toEqual({ offset: 40, limit: 20 })
    list().changePageSize(50)
    await flushPromises()
    expect(calls.at(-1)).toEqual({ offset: 0, limit: 50 })
    expect(list().pagination.value).toMatchObject({ current: 1, pageSize: 50 })
  })

  it('reloads from page 1 once typing pauses, and not after the page is gone', async () => {
    const { calls, search, list, wrapper } = setup()
    await flushPromises()
    list().changePage(2)
    await flushPromises()
    search.value = 'ir'
    await nextTick()
    search.value = 'iris'
    await nextTick()
    vi.advanceTimersByTime(299)
    expect(calls).toHaveLength(2)
    vi.advanceTimersByTime(1)
    await flushPromises()
    expect(calls).toHaveLength(3)
    expect(calls.at(-1)).toEqual({ offset: 0, limit: 20 })

    search.value = 'iris2'
    await nextTick()
    wrapper.unmount()
    vi.advanceTimersByTime(1000)
    expect(calls).toHaveLength(3)
  })
})

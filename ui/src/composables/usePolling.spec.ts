import { defineComponent, h, ref } from 'vue'
import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { usePolling } from './usePolling'

function poller(delay: { value: number }, refresh: () => Promise<void>) {
  return mount(defineComponent({
    setup() {
      usePolling(refresh, () => delay.value)
      return () => h('div')
    },
  }))
}

describe('usePolling', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('refreshes after each wait and stops when unmounted', async () => {
    const refresh = vi.fn(async () => {})
    const wrapper = poller(ref(1000), refresh)
    await vi.advanceTimersByTimeAsync(999)
    expect(refresh).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(2001)
    expect(refresh).toHaveBeenCalledTimes(3)
    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(5000)
    expect(refresh).toHaveBeenCalledTimes(3)
  })

  it('restarts the wait at once when the delay changes', async () => {
    const refresh = vi.fn(async () => {})
    const delay = ref(10_000)
    poller(delay, refresh)
    await vi.advanceTimersByTimeAsync(4000)
    delay.value = 3000
    await vi.advanceTimersByTimeAsync(3000)
    expect(refresh).toHaveBeenCalledTimes(1)
  })
})

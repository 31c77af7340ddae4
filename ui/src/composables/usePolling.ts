/** Refresh a page again and again, waiting ``delay()`` between rounds (skipped while the tab is
 * hidden); when the delay changes (a service starts deploying, a run starts) the wait restarts. */
import { onBeforeUnmount, onMounted, watch } from 'vue'

export function usePolling(refresh: () => Promise<unknown>, delay: () => number): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let active = false

  function wait(): void {
    clearTimeout(timer)
    if (active) timer = setTimeout(round, delay())
  }

  async function round(): Promise<void> {
    if (!document.hidden) await refresh()
    wait()
  }

  onMounted(() => {
    active = true
    wait()
  })
  onBeforeUnmount(() => {
    active = false
    clearTimeout(timer)
  })
  watch(delay, wait)
}

/** Refresh a page again and again, waiting ``delay()`` between rounds (skipped while the tab is hidden). */
import { onBeforeUnmount, onMounted } from 'vue'

export function usePolling(refresh: () => Promise<unknown>, delay: () => number): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let active = true

  async function round(): Promise<void> {
    if (!document.hidden) await refresh()
    if (active) timer = setTimeout(round, delay())
  }

  onMounted(() => {
    timer = setTimeout(round, delay())
  })
  onBeforeUnmount(() => {
    active = false
    clearTimeout(timer)
  })
}

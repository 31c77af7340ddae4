/** Load data for a page, optionally refreshing it every few seconds while the page is open. */
import { onMounted, ref, type Ref } from 'vue'

import { errorMessage } from '../api/errors'
import { usePolling } from './usePolling'

export function useLoader<T>(load: () => Promise<T>, options: { everyMs?: number } = {}) {
  const data = ref<T | null>(null) as Ref<T | null>
  const loading = ref(false)
  const error = ref<string | null>(null)

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      data.value = await load()
      error.value = null
    } catch (caught) {
      error.value = errorMessage(caught)
    } finally {
      loading.value = false
    }
  }

  onMounted(() => void refresh())
  const everyMs = options.everyMs
  if (everyMs) usePolling(refresh, () => everyMs)

  return { data, loading, error, refresh }
}

/** One service, refreshed every 3 s while it changes state and every 10 s otherwise. */
import { computed, onBeforeUnmount, onMounted, watch } from 'vue'

import { useLoader } from '../../composables/useLoader'
import { getService } from './serviceApi'

const CHANGING = ['deploying', 'deleting']

export function useService(name: () => string) {
  const loader = useLoader(() => getService(name()))
  const every = computed(() => (CHANGING.includes(loader.data.value?.state ?? '') ? 3000 : 10000))
  let timer: ReturnType<typeof setInterval> | undefined

  function schedule(): void {
    clearInterval(timer)
    timer = setInterval(() => {
      if (!document.hidden && !loader.loading.value) void loader.refresh()
    }, every.value)
  }

  onMounted(schedule)
  onBeforeUnmount(() => clearInterval(timer))
  watch(every, schedule)
  watch(name, () => void loader.refresh())
  return loader
}

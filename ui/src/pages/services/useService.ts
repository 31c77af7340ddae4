/** One service, refreshed every 3 s while it changes state and every 10 s otherwise. */
import { watch } from 'vue'

import { useLoader } from '../../composables/useLoader'
import { usePolling } from '../../composables/usePolling'
import { getService } from './serviceApi'

const CHANGING = ['deploying', 'scaling', 'deleting']

export function useService(name: () => string) {
  const loader = useLoader(() => getService(name()))
  usePolling(loader.refresh, () => (CHANGING.includes(loader.data.value?.state ?? '') ? 3000 : 10000))
  watch(name, () => void loader.refresh())
  return loader
}

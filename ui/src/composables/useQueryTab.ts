/** The active tab kept in the URL (`?tab=<key>`), so a link can open a tab. */
import { computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'

export function useQueryTab<T extends string>(tabs: readonly T[]) {
  const route = useRoute()
  const router = useRouter()
  return computed<T>({
    get: () => (tabs.find((tab) => tab === route.query.tab) ?? tabs[0]),
    set: (tab) => void router.replace({ query: { ...route.query, tab } }),
  })
}

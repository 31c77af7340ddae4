/** A list endpoint read a page at a time (`offset`/`limit`, answering `total`), with the table's pagination. */
import { computed, onBeforeUnmount, reactive, watch, type WatchSource } from 'vue'

import { useLoader } from './useLoader'

export function usePagedList<T extends { total: number }>(load: (page: { offset: number; limit: number }) => Promise<T>) {
  const page = reactive({ current: 1, size: 20 })
  const loader = useLoader(() => load({ offset: (page.current - 1) * page.size, limit: page.size }))

  /** Back to the first page, e.g. when a filter changes. */
  function reload(): void {
    page.current = 1
    void loader.refresh()
  }

  /** Reload a short pause after `source` last changed (typing in a search box). */
  let typing: ReturnType<typeof setTimeout> | undefined
  function reloadAfterTyping(source: WatchSource): void {
    watch(source, () => {
      clearTimeout(typing)
      typing = setTimeout(reload, 300)
    })
  }
  onBeforeUnmount(() => clearTimeout(typing))

  const pagination = computed(() => ({
    current: page.current,
    pageSize: page.size,
    total: loader.data.value?.total ?? 0,
    showTotal: true,
    showPageSize: true,
    pageSizeOptions: [10, 20, 50, 100],
  }))

  function changePage(current: number): void {
    page.current = current
    void loader.refresh()
  }

  function changePageSize(size: number): void {
    page.size = size
    reload()
  }

  return { ...loader, pagination, reload, reloadAfterTyping, changePage, changePageSize }
}

/** Run a user action with a busy flag, then a success or the API's error message. */
import { ref } from 'vue'
import { Message } from '@arco-design/web-vue'

import { errorMessage } from '../api/errors'

export function useAction() {
  const busy = ref(false)
  const error = ref<string | null>(null)

  /** Returns the action's result, or undefined when it failed (the error is shown). */
  async function run<T>(action: () => Promise<T>, success?: string): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      const result = await action()
      if (success) Message.success(success)
      return result
    } catch (caught) {
      error.value = errorMessage(caught)
      Message.error(error.value)
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { busy, error, run }
}

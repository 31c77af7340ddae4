/** Submit a deploy or scale form through useAction; the API's error goes on the field it names, or in an alert. */
import { ref, watch, type Ref } from 'vue'
import type { FormInstance } from '@arco-design/web-vue'

import { ApiError } from '../../api/errors'
import { useAction } from '../../composables/useAction'
import { itemForField, visibleFields, type ResourceForm } from './deployForm'

export function useFormSubmit(form: Ref<FormInstance | undefined>, values: () => ResourceForm) {
  const { busy, error, run } = useAction()
  /** An error no visible field can show. */
  const alert = ref<string | null>(null)
  // The API names one field at a time and any edit may fix it, so an edit clears the mark.
  watch(values, () => form.value?.clearValidate(), { deep: true })

  async function submit<T>(call: () => Promise<T>, success: string): Promise<T | undefined> {
    form.value?.clearValidate()
    alert.value = null
    let field: string | null = null
    const result = await run(async () => {
      try {
        return await call()
      } catch (caught) {
        field = caught instanceof ApiError ? caught.field : null
        throw caught
      }
    }, success)
    if (result === undefined && error.value) {
      const item = itemForField(field, visibleFields(values()))
      if (item) form.value?.setFields({ [item]: { status: 'error', message: error.value } })
      else alert.value = error.value
    }
    return result
  }

  return { busy, alert, submit }
}

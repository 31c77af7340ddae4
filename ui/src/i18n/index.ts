/** English and Simplified Chinese; each section of the app keeps its own message files. */
import { createI18n } from 'vue-i18n'

import enCommon from './en/common'
import enModels from './en/models'
import enServices from './en/services'
import enDatasets from './en/datasets'
import enJobs from './en/jobs'
import enCluster from './en/cluster'
import enGroups from './en/groups'
import zhCommon from './zh/common'
import zhModels from './zh/models'
import zhServices from './zh/services'
import zhDatasets from './zh/datasets'
import zhJobs from './zh/jobs'
import zhCluster from './zh/cluster'
import zhGroups from './zh/groups'

export const LOCALES = [
  { value: 'en', label: 'English' },
  { value: 'zh-CN', label: '简体中文' },
] as const
export type Locale = (typeof LOCALES)[number]['value']

const STORAGE_KEY = 'daas.locale'

export const messages = {
  en: { ...enCommon, models: enModels, services: enServices, datasets: enDatasets, jobs: enJobs, cluster: enCluster, groups: enGroups },
  'zh-CN': { ...zhCommon, models: zhModels, services: zhServices, datasets: zhDatasets, jobs: zhJobs, cluster: zhCluster, groups: zhGroups },
}

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved === 'en' || saved === 'zh-CN') return saved
  return navigator.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'
}

export const i18n = createI18n({ legacy: false, locale: initialLocale(), fallbackLocale: 'en', messages })

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}

import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ArcoVue from '@arco-design/web-vue'
import { createI18n } from 'vue-i18n'

import en from '../../i18n/en/jobs'
import zh from '../../i18n/zh/jobs'
import { kindAllowed, withheld, type KindAccess } from './access'
import JobBasicsStep from './JobBasicsStep.vue'
import { newJobForm } from './jobForm'

const EDITOR: KindAccess[] = [
  { kind: 'predict', group: 'team', runs_code: false, permission: 'change', code_execution: false, allowed: true, may_read_source: true },
  { kind: 'evaluate', group: 'team', runs_code: false, permission: 'change', code_execution: false, allowed: true, may_read_source: true },
  {
    kind: 'script', group: 'team', runs_code: true, permission: 'change', code_execution: true, code_execution_role: 'admin',
    allowed: false, may_read_source: false, setting: 'DAAS_CODE_EXECUTION_ROLE',
  },
]

describe('kindAllowed', () => {
  it('follows the platform, and refuses script jobs until it has answered', () => {
    expect(kindAllowed(EDITOR, 'predict')).toBe(true)
    expect(kindAllowed(EDITOR, 'script')).toBe(false)
    expect(kindAllowed(null, 'script')).toBe(false)
    expect(kindAllowed(null, 'evaluate')).toBe(true)
    expect(kindAllowed(EDITOR.map((entry) => ({ ...entry, allowed: true })), 'script')).toBe(true)
  })
})

describe('withheld', () => {
  it('lists the config fields a job response left out', () => {
    expect(withheld({ withheld: ['source'] })).toEqual(['source'])
    expect(withheld({})).toEqual([])
  })
})

describe('JobBasicsStep', () => {
  // Arco's form grid watches the viewport; jsdom has no matchMedia.
  window.matchMedia ??= ((query: string) => ({
    matches: false, media: query, onchange: null, addListener() {}, removeListener() {},
    addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false,
  })) as typeof window.matchMedia

  function render(access: KindAccess[] | null) {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { en: { jobs: en } } })
    return mount(JobBasicsStep, {
      props: { form: newJobForm('UTC'), errors: {}, access },
      global: { plugins: [ArcoVue, i18n] },
    })
  }

  it('disables script jobs for a token without the code-execution permission, and says why', () => {
    const wrapper = render(EDITOR)
    expect(wrapper.find('[data-testid="job-kind-script"] input').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="job-kind-predict"] input').attributes('disabled')).toBeUndefined()
    const notice = wrapper.find('[data-testid="job-kind-script-notice"]').text()
    expect(notice).toContain('code-execution permission')
    expect(notice).toContain('DAAS_CODE_EXECUTION_ROLE=admin')
    expect(notice).toContain('DAAS_CODE_EXECUTION_ROLE=editor')
  })

  it('offers script jobs to a token holding the permission', () => {
    const wrapper = render(EDITOR.map((entry) => ({ ...entry, allowed: true })))
    expect(wrapper.find('[data-testid="job-kind-script"] input').attributes('disabled')).toBeUndefined()
    expect(wrapper.find('[data-testid="job-kind-script-notice"]').exists()).toBe(false)
  })
})

describe('jobs messages', () => {
  function keys(messages: object, prefix = ''): string[] {
    return Object.entries(messages).flatMap(([key, value]) =>
      typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`])
  }

  it('has every English message in Chinese', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort())
  })
})

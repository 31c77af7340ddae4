import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ArcoVue from '@arco-design/web-vue'
import ArcoVueIcon from '@arco-design/web-vue/es/icon'
import { createI18n } from 'vue-i18n'

import { access, type Me, type Permission } from '../../access'
import type { ServiceInfo } from '../../api/types'
import { messages } from '../../i18n'
import { session } from '../../session'
import ServiceActions from './ServiceActions.vue'

// Arco's grid watches the viewport; jsdom has no matchMedia.
window.matchMedia ??= ((query: string) => ({
  matches: false, media: query, onchange: null, addListener() {}, removeListener() {},
  addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false,
})) as typeof window.matchMedia

const TABLE = {
  permissions: ['read', 'change', 'manage'] as Permission[],
  rules: {
    read: { own: 'read', other: 'read' }, create: { own: 'change', other: 'change' }, change: { own: 'change', other: 'change' },
    stop: { own: 'change', other: 'manage' }, delete: { own: 'change', other: 'manage' }, manage: { own: 'manage', other: 'manage' },
  } as const,
}

function as(permission: Permission): void {
  const me: Me = {
    name: 'bob', display_name: null, token: 't', platform_admin: false, code_execution: false, default_group: 'bob',
    groups: [{ name: 'team-a', permission, personal: false }],
  }
  Object.assign(access, { me, groups: me.groups, table: TABLE })
  session.group = 'team-a'
}

function buttons(createdBy: string, desired: 'running' | 'paused' = 'running'): string[] {
  const service = { name: 'iris', group: 'team-a', created_by: createdBy, desired, previous_version: null, version: 1, spec: {} } as unknown as ServiceInfo
  const i18n = createI18n({ legacy: false, locale: 'en', messages })
  const wrapper = mount(ServiceActions, { props: { service }, global: { plugins: [ArcoVue, ArcoVueIcon, i18n] } })
  return wrapper.findAll('[data-testid^="service-"]').map((node) => node.attributes('data-testid') as string).sort()
}

describe('ServiceActions', () => {
  beforeEach(() => Object.assign(access, { me: null, groups: [], table: null }))

  it('shows a read member nothing', () => {
    as('read')
    expect(buttons('ann')).toEqual([])
    expect(buttons('bob')).toEqual([])
  })

  it('lets a change member pause and delete only their own service', () => {
    as('change')
    const changing = ['service-rotate-key', 'service-scale', 'service-switch-version']
    expect(buttons('ann')).toEqual(changing)
    expect(buttons('bob')).toEqual(['service-delete', 'service-pause', ...changing].sort())
    expect(buttons('ann', 'paused')).toEqual(['service-resume', ...changing].sort())
  })

  it('lets a manager pause and delete anyone\'s service', () => {
    as('manage')
    expect(buttons('ann')).toEqual(['service-delete', 'service-pause', 'service-rotate-key', 'service-scale', 'service-switch-version'])
  })
})

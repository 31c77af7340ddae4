import { describe, expect, it } from 'vitest'

import document from '../../openapi.json'
import { scopedUrl, takesGroup } from './scope'

/** The platform's OpenAPI document, as `make ui-api` wrote it. */
const spec = document as unknown as {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>
}

describe('takesGroup', () => {
  it('agrees with the OpenAPI document on every route', () => {
    const disagreements: string[] = []
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const declared = (operation.parameters ?? []).some((p) => p.in === 'query' && p.name === 'group')
        // A concrete path standing for the template: `{name}` -> `x`.
        if (takesGroup(path.replace(/\{[^}]+\}/g, 'x')) !== declared) disagreements.push(`${method} ${path}`)
      }
    }
    expect(disagreements).toEqual([])
  })
})

describe('scopedUrl', () => {
  it('adds the group to object calls, relative or absolute', () => {
    expect(scopedUrl('/api/v1/models?limit=5', 'team a')).toBe('/api/v1/models?limit=5&group=team+a')
    expect(scopedUrl('http://host:8000/api/v1/services', 'ops')).toBe('http://host:8000/api/v1/services?group=ops')
    expect(scopedUrl('/api/v1/datasets/rows/download?format=csv', 'ops')).toBe('/api/v1/datasets/rows/download?format=csv&group=ops')
  })

  it('leaves alone the calls that take no group, a group the call names, and no group at all', () => {
    expect(scopedUrl('/api/v1/services/iris/pause', 'ops')).toBe('/api/v1/services/iris/pause')
    expect(scopedUrl('/api/v1/groups/ops/members', 'ops')).toBe('/api/v1/groups/ops/members')
    expect(scopedUrl('/api/v1/models?group=other', 'ops')).toBe('/api/v1/models?group=other')
    expect(scopedUrl('/api/v1/models', null)).toBe('/api/v1/models')
  })
})

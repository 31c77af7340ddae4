import { describe, expect, it } from 'vitest'

import { countByService, targetReplicas } from './serviceApi'

describe('replica counts', () => {
  it('counts running replicas per service across nodes', () => {
    const counts = countByService({
      nodes: [
        { replicas: [{ service: 'iris' }, { service: 'mnist' }] },
        { replicas: [{ service: 'iris' }] },
        { replicas: [] },
      ],
    })
    expect(Object.fromEntries(counts)).toEqual({ iris: 2, mnist: 1 })
  })
  it('shows the fixed count or the autoscaling range as the target', () => {
    expect(targetReplicas({ spec: { replicas: 3, autoscaling: null } })).toBe('3')
    expect(targetReplicas({ spec: { replicas: null, autoscaling: { min_replicas: 0, max_replicas: 4 } } })).toBe('0–4')
  })
})

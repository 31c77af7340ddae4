import { describe, expect, it } from 'vitest'

import { clusterTotals, servicesOn, usedShare, type ClusterNode } from './cluster'

function node(id: string, cpuUsed: number, replicas: ClusterNode['replicas'] = []): ClusterNode {
  return {
    node_id: id, address: '10.0.0.1',
    cpu: { total: 8, used: cpuUsed, free: 8 - cpuUsed },
    memory_gib: { total: 16, used: 4, free: 12 },
    gpu: { total: 0, used: 0, free: 0 },
    replicas,
  }
}

describe('usedShare', () => {
  it('is the used fraction, clamped, and 0 for a resource the node lacks', () => {
    expect(usedShare({ total: 8, used: 2, free: 6 })).toBe(0.25)
    expect(usedShare({ total: 0, used: 0, free: 0 })).toBe(0)
    expect(usedShare({ total: 1, used: 1.0004, free: -0.0004 })).toBe(1)
  })
})

describe('clusterTotals', () => {
  it('adds every node up', () => {
    const totals = clusterTotals([node('a', 2), node('b', 6)])
    expect(totals.cpu).toEqual({ total: 16, used: 8, free: 8 })
    expect(totals.memory_gib.total).toBe(32)
  })
})

describe('servicesOn', () => {
  it('groups replicas by service name', () => {
    const groups = servicesOn(node('a', 0, [
      { service: 'wine', replica_id: 'r1', pid: 1, state: 'RUNNING' },
      { service: 'iris', replica_id: 'r2', pid: 2, state: 'RUNNING' },
      { service: 'wine', replica_id: 'r3', pid: 3, state: 'RUNNING' },
    ]))
    expect(groups.map((group) => [group.service, group.replicas.length])).toEqual([['iris', 1], ['wine', 2]])
  })
})

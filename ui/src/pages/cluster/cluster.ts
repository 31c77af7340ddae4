/** GET /api/v1/cluster (daas/platform/routes/cluster.py), read for the cluster page. */

export interface Usage {
  total: number
  used: number
  free: number
}

export interface NodeReplica {
  service: string
  replica_id: string
  pid: number | null
  /** RUNNING, or DRAINING: stopping, its resources still reserved until it has stopped. */
  state: 'RUNNING' | 'DRAINING'
  reason?: string
}

export interface ClusterNode {
  node_id: string
  address: string
  cpu: Usage
  memory_gib: Usage
  gpu: Usage
  replicas: NodeReplica[]
}

export interface ClusterInfo {
  nodes: ClusterNode[]
  resources_free: Record<string, number>
  platform_uptime_s: number
  dashboard_url: string | null
  prometheus_url: string | null
}

/** Share of a resource in use, 0-1 (0 when the node has none). */
export function usedShare(usage: Usage): number {
  return usage.total > 0 ? Math.min(1, Math.max(0, usage.used / usage.total)) : 0
}

/** Resources summed over nodes. */
export function clusterTotals(nodes: ClusterNode[]): Record<'cpu' | 'memory_gib' | 'gpu', Usage> {
  const sum = (key: 'cpu' | 'memory_gib' | 'gpu'): Usage =>
    nodes.reduce((total, node) => ({
      total: total.total + node[key].total, used: total.used + node[key].used, free: total.free + node[key].free,
    }), { total: 0, used: 0, free: 0 })
  return { cpu: sum('cpu'), memory_gib: sum('memory_gib'), gpu: sum('gpu') }
}

/** A node's replicas grouped by service, services by name. */
export function servicesOn(node: ClusterNode): Array<{ service: string; replicas: NodeReplica[] }> {
  const groups = new Map<string, NodeReplica[]>()
  for (const replica of node.replicas) groups.set(replica.service, [...(groups.get(replica.service) ?? []), replica])
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([service, replicas]) => ({ service, replicas }))
}

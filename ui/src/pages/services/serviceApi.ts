/** Calls of the services API; shapes of the untyped answers as the platform builds them. */
import { api, unwrap } from '../../api/client'
import type { ServiceInfo } from '../../api/types'

/** One Serve replica (daas/platform/services/observability.py `replicas`). */
export interface Replica {
  replica_id: string
  actor_name: string | null
  state: string
  node_id: string | null
  node_ip: string | null
  pid: number | null
  /** Epoch seconds. */
  started: number | null
  requests: number
}

/** The log tail of each live replica (observability.py `logs`). */
export interface ReplicaLogs {
  replicas: Array<{ replica_id: string; state: string; lines: string[] }>
}

export interface TrafficStats {
  requests: number
  errors: number
  requests_per_second: number | null
  latency_ms_mean: number | null
  latency_ms_p50: number | null
  latency_ms_p95: number | null
  latency_ms_p99: number | null
}

export type TrafficWindow = 'minute' | 'hour'

/** Summary and time series (observability.py `traffic`). */
export interface Traffic {
  window: TrafficWindow
  start: string
  end: string
  summary: TrafficStats
  series: Array<TrafficStats & { t: string }>
}

/** Ready-made calls (snippets.py `snippets`). */
export interface Snippets {
  curl: string
  python: string
  serve_handle: string
}

/** The part of GET /api/v1/cluster read here: running replicas per node. */
export interface ClusterReplicas {
  nodes: Array<{ replicas: Array<{ service: string }> }>
}

const path = (name: string) => ({ params: { path: { name } } })

export const getService = (name: string) => unwrap(api.GET('/api/v1/services/{name}', path(name)))

export const listServices = () => unwrap(api.GET('/api/v1/services'))

export async function replicas(name: string): Promise<Replica[]> {
  return (await unwrap(api.GET('/api/v1/services/{name}/replicas', path(name)))) as unknown as Replica[]
}

export async function logs(name: string, tail: number): Promise<ReplicaLogs> {
  const call = api.GET('/api/v1/services/{name}/logs', { params: { path: { name }, query: { tail } } })
  return (await unwrap(call)) as unknown as ReplicaLogs
}

export async function traffic(name: string, window: TrafficWindow): Promise<Traffic> {
  const call = api.GET('/api/v1/services/{name}/metrics', { params: { path: { name }, query: { window } } })
  return (await unwrap(call)) as unknown as Traffic
}

export async function snippets(name: string): Promise<Snippets> {
  return (await unwrap(api.GET('/api/v1/services/{name}/snippets', path(name)))) as unknown as Snippets
}

export const events = (name: string) => unwrap(api.GET('/api/v1/services/{name}/events', path(name)))

/** Running replicas per service in the cluster view (it lists only running ones). */
export function countByService(cluster: ClusterReplicas): Map<string, number> {
  const counts = new Map<string, number>()
  for (const replica of cluster.nodes.flatMap((node) => node.replicas)) {
    counts.set(replica.service, (counts.get(replica.service) ?? 0) + 1)
  }
  return counts
}

/** Running replicas per service (the list endpoint has no counts). */
export async function runningReplicas(): Promise<Map<string, number>> {
  return countByService((await unwrap(api.GET('/api/v1/cluster'))) as unknown as ClusterReplicas)
}

/** The replica count a service aims at: a number, or "min–max" when it autoscales. */
export function targetReplicas(service: Pick<ServiceInfo, 'spec'>): string {
  const spec = service.spec as { replicas?: number | null; autoscaling?: { min_replicas: number; max_replicas: number } | null }
  if (spec.autoscaling) return `${spec.autoscaling.min_replicas}–${spec.autoscaling.max_replicas}`
  return String(spec.replicas ?? 1)
}

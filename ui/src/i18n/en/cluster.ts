export default {
  dashboard: 'Ray dashboard',
  nodes: 'Nodes',
  replicasTotal: 'Service replicas',
  uptime: 'Platform uptime',
  cpu: 'CPU',
  memory: 'Memory',
  gpu: 'GPU',
  noGpu: 'No GPU',
  replicas: 'Service replicas ({count})',
  noReplicas: 'No service replica runs on this node.',
  refresh: 'Ray resources reserved (used) out of each node’s total; refreshed every 10 s.',
}

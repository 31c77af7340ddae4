export default {
  dashboard: 'Ray 控制台',
  nodes: '节点',
  replicasTotal: '服务副本',
  uptime: '平台运行时长',
  cpu: 'CPU',
  memory: '内存',
  gpu: 'GPU',
  noGpu: '无 GPU',
  replicas: '服务副本（{count}）',
  noReplicas: '此节点上没有运行服务副本。',
  refresh: '显示各节点已预留（已用）的 Ray 资源占总量的比例；每 10 秒刷新一次。',
}

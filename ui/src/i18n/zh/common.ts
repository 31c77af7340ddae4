export default {
  app: { name: 'DaaS-Deployer' },
  nav: { label: '导航', models: '模型', services: '服务', datasets: '数据集', jobs: '作业', groups: '分组', cluster: '集群' },
  signIn: {
    title: '登录',
    token: '访问令牌',
    tokenHelp: '`make run` 会打印管理员令牌；它也保存在 $DAAS_HOME/admin-token。',
    submit: '登录',
    expired: '会话已结束，请重新登录。',
    required: '请输入令牌',
  },
  user: { signOut: '退出登录' },
  language: '语言',
  actions: {
    refresh: '刷新', cancel: '取消', confirm: '确认', delete: '删除', save: '保存',
    copy: '复制', copied: '已复制', download: '下载', upload: '上传', close: '关闭',
    search: '搜索', back: '返回', next: '下一步', previous: '上一步', create: '创建',
  },
  state: {
    deploying: '部署中', running: '运行中', failed: '失败', paused: '已暂停', deleting: '删除中',
    pausing: '暂停中', stopping: '停止中', scaling: '扩缩容中', draining: '排空中',
    pending: '等待中', succeeded: '成功', stopped: '已停止', unhealthy: '不健康',
  },
  common: {
    name: '名称', description: '描述', created: '创建时间', createdBy: '创建者',
    updated: '更新时间', size: '大小', rows: '行数', status: '状态', actions: '操作',
    version: '版本', empty: '暂无内容', loading: '加载中…', yes: '是', no: '否',
    confirmDelete: '删除 {name}？此操作无法撤销。',
    chosenFile: '已选择：{name}（{size}）',
  },
}

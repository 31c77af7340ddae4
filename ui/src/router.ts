/** Pages and the sign-in guard. */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import { onSignOut, session } from './session'

const routes: RouteRecordRaw[] = [
  { path: '/signin', name: 'signin', component: () => import('./pages/SignIn.vue'), meta: { public: true } },
  { path: '/', redirect: '/models' },
  { path: '/models', name: 'models', component: () => import('./pages/models/ModelList.vue') },
  { path: '/models/:name', name: 'model', component: () => import('./pages/models/ModelDetail.vue'), props: true },
  { path: '/services', name: 'services', component: () => import('./pages/services/ServiceList.vue') },
  { path: '/services/new', name: 'service-deploy', component: () => import('./pages/services/ServiceDeploy.vue') },
  { path: '/services/:name', name: 'service', component: () => import('./pages/services/ServiceDetail.vue'), props: true },
  { path: '/datasets', name: 'datasets', component: () => import('./pages/datasets/DatasetList.vue') },
  { path: '/datasets/:name', name: 'dataset', component: () => import('./pages/datasets/DatasetDetail.vue'), props: true },
  { path: '/jobs', name: 'jobs', component: () => import('./pages/jobs/JobList.vue') },
  { path: '/jobs/new', name: 'job-create', component: () => import('./pages/jobs/JobCreate.vue') },
  { path: '/jobs/:name', name: 'job', component: () => import('./pages/jobs/JobDetail.vue'), props: true },
  {
    path: '/groups',
    name: 'groups',
    redirect: () => (session.group ? `/groups/${encodeURIComponent(session.group)}` : '/models'),
  },
  { path: '/groups/:name', name: 'group', component: () => import('./pages/groups/GroupPage.vue'), props: true },
  { path: '/cluster', name: 'cluster', component: () => import('./pages/cluster/ClusterPage.vue') },
  { path: '/:unknown(.*)*', redirect: '/models' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  if (!to.meta.public && !session.token) {
    return { name: 'signin', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  return true
})

onSignOut(() => {
  const current = router.currentRoute.value
  if (!current.meta.public) {
    void router.push({ name: 'signin', query: { next: current.fullPath } })
  }
})

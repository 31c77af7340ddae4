export default {
  app: { name: 'DaaS-Deployer' },
  nav: { label: 'Sections', models: 'Models', services: 'Services', datasets: 'Datasets', jobs: 'Jobs', groups: 'Group', cluster: 'Cluster' },
  signIn: {
    title: 'Sign in',
    token: 'Access token',
    tokenHelp: '`make run` prints the admin token; it is also in $DAAS_HOME/admin-token.',
    submit: 'Sign in',
    expired: 'Your session ended: sign in again.',
    required: 'Enter a token',
  },
  user: { signOut: 'Sign out' },
  language: 'Language',
  actions: {
    refresh: 'Refresh', cancel: 'Cancel', confirm: 'Confirm', delete: 'Delete', save: 'Save',
    copy: 'Copy', copied: 'Copied', download: 'Download', upload: 'Upload', close: 'Close',
    search: 'Search', back: 'Back', next: 'Next', previous: 'Previous', create: 'Create',
  },
  state: {
    deploying: 'deploying', running: 'running', failed: 'failed', paused: 'paused', deleting: 'deleting',
    pausing: 'pausing', stopping: 'stopping', scaling: 'scaling', draining: 'draining',
    pending: 'pending', succeeded: 'succeeded', stopped: 'stopped', unhealthy: 'unhealthy',
  },
  common: {
    name: 'Name', description: 'Description', created: 'Created', createdBy: 'Created by',
    updated: 'Updated', size: 'Size', rows: 'Rows', status: 'Status', actions: 'Actions',
    version: 'Version', empty: 'Nothing here yet', loading: 'Loading…', yes: 'Yes', no: 'No',
    confirmDelete: 'Delete {name}? This cannot be undone.',
    chosenFile: 'Chosen: {name} ({size})',
  },
}

import { defineEnvironment } from './schema';

const small = { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } };
const tiny = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } };

/** dev: one replica per service, no autoscaling, small volumes; any pinned tag is accepted. */
export default defineEnvironment({
  name: 'dev',
  awsAccountId: '111111111111',
  clusterFactsFile: 'clusters/dev.json',
  imagePolicy: 'pinned',
  requireTls: false,
  gitops: { repoURL: 'https://github.com/acme/platform-manifests.git', targetRevision: 'main' },
  nodePool: { capacityTypes: ['spot', 'on-demand'], cpuLimit: '64', memoryLimit: '256Gi' },
  alerting: { critical: { type: 'slack', channel: '#platform-alerts-dev' }, warning: { type: 'slack', channel: '#platform-alerts-dev' } },
  secretPathPrefix: 'dev/',
  // storefront's design: every change reaches a review environment first (review-<pr> in this cluster).
  reviewEnvironments: { platforms: ['storefront'] },
  secretRefreshInterval: '15m',
  namespaceQuota: {
    requestsCpu: '8', requestsMemory: '16Gi', limitsMemory: '32Gi',
    pods: 60, persistentVolumeClaims: 10, requestsStorage: '100Gi',
  },
  platforms: {
    'sales-order': {
      services: {
        'customer-service': { scaling: { replicas: 1 }, resources: small },
        'order-service': { scaling: { replicas: 1 }, resources: small },
        'product-service': { scaling: { replicas: 1 }, resources: small },
        'user-service': { resources: small },
      },
      dataStores: {
        'customer-mysql': { storage: '5Gi', resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } } },
        'order-mongodb': { storage: '5Gi', resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } } },
        'product-redis': { storage: '1Gi', resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '128Mi' } } },
      },
    },
    storefront: {
      services: {
        web: { scaling: { replicas: 1 }, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } } },
      },
    },
    'port-assignment': {
      services: {
        backend: { scaling: { replicas: 1 }, resources: tiny, config: { LOG_LEVEL: 'debug' } },
        'assignment-engine': { scaling: { replicas: 1 }, resources: tiny, config: { LOG_LEVEL: 'debug' } },
      },
    },
    'resource-hub': {
      services: {
        api: { scaling: { replicas: 1 }, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } }, config: { LOG_LEVEL: 'debug' } },
        gateway: { scaling: { replicas: 1 }, resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } } },
      },
      dataStores: {
        'resource-hub-postgres': { storage: '5Gi', resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } } },
      },
    },
    toytrex: {
      services: {
        web: { scaling: { replicas: 1 }, resources: tiny, config: { LOG_LEVEL: 'debug' } },
        middleware: { scaling: { replicas: 1 }, resources: tiny, config: { LOG_LEVEL: 'debug' } },
      },
    },
  },
});

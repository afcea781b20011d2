import { defineEnvironment } from './schema';

/** staging: the platforms' shape at a smaller scale; TLS required as in prod. */
export default defineEnvironment({
  name: 'staging',
  awsAccountId: '222222222222',
  clusterFactsFile: 'clusters/staging.json',
  imagePolicy: 'pinned',
  requireTls: true,
  gitops: { repoURL: 'https://github.com/acme/platform-manifests.git', targetRevision: 'main' },
  secretPathPrefix: 'staging/',
  // Nightly; a week is enough to roll back a bad migration rehearsed here.
  backups: { schedule: '30 2 * * *', retentionDays: 7 },
  namespaceQuota: {
    requestsCpu: '16', requestsMemory: '32Gi', limitsMemory: '64Gi',
    pods: 100, persistentVolumeClaims: 20, requestsStorage: '300Gi',
  },
  platforms: {
    'sales-order': {
      services: {
        'customer-service': { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } } },
        'order-service': { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } } },
        'product-service': { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } } },
      },
    },
    'port-assignment': {
      services: {
        backend: { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } } },
        'assignment-engine': { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 3, targetCPUUtilizationPercentage: 75 } } },
      },
    },
    'resource-hub': {
      services: {
        api: { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } } },
        gateway: { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } } },
      },
      dataStores: {
        'resource-hub-postgres': { storage: '10Gi' },
      },
    },
    toytrex: {
      services: {
        web: { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } } },
        middleware: { scaling: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } } },
      },
    },
  },
});

import { defineEnvironment } from './schema';

/** staging: the platforms' shape at a smaller scale; TLS required as in prod. */
export default defineEnvironment({
  name: 'staging',
  clusterFactsFile: 'clusters/staging.json',
  imagePolicy: 'pinned',
  requireTls: true,
  gitops: { repoURL: 'https://github.com/acme/platform-manifests.git', targetRevision: 'main' },
  secretPathPrefix: 'staging/',
  namespaceQuota: {
    requestsCpu: '16', requestsMemory: '32Gi', limitsMemory: '64Gi',
    pods: 100, persistentVolumeClaims: 20, requestsStorage: '300Gi',
  },
  platforms: {
    'sales-order': {
      services: {
        'customer-service': { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        'order-service': { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        'product-service': { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
      },
    },
    'port-assignment': {
      services: {
        backend: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        'assignment-engine': { autoscaling: { minReplicas: 2, maxReplicas: 3, targetCPUUtilizationPercentage: 75 } },
      },
    },
    'resource-hub': {
      services: {
        api: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } },
        gateway: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } },
      },
      dataStores: {
        'resource-hub-postgres': { storage: '10Gi' },
      },
    },
    toytrex: {
      services: {
        web: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        middleware: { autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
      },
    },
  },
});

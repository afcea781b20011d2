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
    requestsCpu: '16', requestsMemory: '32Gi', limitsCpu: '32', limitsMemory: '64Gi',
    pods: 100, persistentVolumeClaims: 20, requestsStorage: '300Gi',
  },
  platforms: {
    'sales-order': {
      services: {
        'customer-service': { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        'order-service': { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        'product-service': { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
      },
    },
    'port-assignment': {
      services: {
        backend: { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        'assignment-engine': { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 3, targetCPUUtilizationPercentage: 75 } },
      },
    },
    'resource-hub': {
      services: {
        api: { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } },
        gateway: { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } },
      },
      dataStores: {
        'resource-hub-postgres': { storage: '10Gi' },
      },
    },
    toytrex: {
      services: {
        web: { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
        middleware: { replicas: 2, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } },
      },
    },
  },
});

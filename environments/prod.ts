import { defineEnvironment } from './schema';

/**
 * prod: the platforms' own numbers (replicas, HPA bounds, volumes) from the charts; images must be immutable
 * (digest or MAJOR.MINOR.PATCH in tag-immutable ECR), TLS everywhere, Argo CD tracks the release branch.
 */
export default defineEnvironment({
  name: 'prod',
  awsAccountId: '333333333333',
  clusterFactsFile: 'clusters/prod.json',
  imagePolicy: 'immutable',
  requireTls: true,
  gitops: { repoURL: 'https://github.com/acme/platform-manifests.git', targetRevision: 'release' },
  secretPathPrefix: 'prod/',
  // Every self-hosted store four times a day, dumps kept a month.
  backups: { schedule: '17 0,6,12,18 * * *', retentionDays: 30 },
  namespaceQuota: {
    requestsCpu: '32', requestsMemory: '64Gi', limitsMemory: '128Gi',
    pods: 200, persistentVolumeClaims: 30, requestsStorage: '1Ti',
  },
  platforms: {
    'resource-hub': {
      // Amazon RDS for PostgreSQL (Terraform) instead of the self-hosted StatefulSet.
      dataStores: { 'resource-hub-postgres': { external: 'resource-hub-postgres' } },
    },
  },
});

import { ConfigError } from '../errors';
import type { RenderedFile } from '../kube-object';
import type { GitOpsPlan } from './gitops-plan';

/**
 * An ExternalSecret only becomes Ready once its store exists and is Ready, and the root app starts a wave only
 * when every Application of the earlier waves is healthy. So a store must be synced by the same Application as
 * its ExternalSecrets or by one of an earlier wave; otherwise the consumer never gets healthy and every later
 * wave waits forever (the AWS Load Balancer Controller's webhook certificate once waited on the `cluster`
 * Application's ClusterSecretStore, one wave later).
 */
export function checkSecretStoreWaves(plan: GitOpsPlan, distFiles: readonly RenderedFile[]): void {
  const appOf = new Map(plan.applications.map((a) => [a.source.path, a]));
  const folderApp = (file: RenderedFile) => appOf.get(`dist/${file.path.split('/').slice(0, 2).join('/')}`);
  const stores = new Map<string, { app: string; wave: number }>();
  for (const file of distFiles) {
    const app = folderApp(file);
    if (!app) continue;
    for (const o of file.objects) {
      if (o.kind === 'ClusterSecretStore') stores.set(`ClusterSecretStore ${o.metadata.name}`, { app: app.name, wave: app.wave });
      if (o.kind === 'SecretStore') stores.set(`SecretStore ${o.metadata.namespace}/${o.metadata.name}`, { app: app.name, wave: app.wave });
    }
  }
  const problems: string[] = [];
  for (const file of distFiles) {
    const app = folderApp(file);
    if (!app) continue;
    for (const o of file.objects) {
      if (o.kind !== 'ExternalSecret') continue;
      const ref = (o.spec as { secretStoreRef?: { kind?: string; name?: string } } | undefined)?.secretStoreRef ?? {};
      const key = ref.kind === 'ClusterSecretStore' ? `ClusterSecretStore ${ref.name}` : `SecretStore ${o.metadata.namespace}/${ref.name}`;
      const store = stores.get(key);
      const where = `ExternalSecret ${o.metadata.namespace}/${o.metadata.name} (dist/${file.path}, Application ${app.name}, wave ${app.wave})`;
      if (!store) problems.push(`  - ${where} uses ${key}, which no Application of this environment renders`);
      else if (store.app !== app.name && store.wave >= app.wave) {
        problems.push(`  - ${where} uses ${key} of Application ${store.app} (wave ${store.wave}): the store must sync in an earlier wave — ` +
          'move the consumer to a later wave in lib/app-waves.ts / lib/addons/catalog.ts');
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`environment ${plan.env.name}: ExternalSecrets whose store is not synced before them:\n${problems.join('\n')}`);
}

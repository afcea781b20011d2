import { ConfigError } from '../errors';
import { groupOf } from '../kinds';
import type { RenderedFile } from '../kube-object';

/**
 * Every object of an environment has exactly one owner: the Application of the one `dist/<env>/` folder it is
 * rendered into. An object rendered twice (a CRD two charts ship, a Namespace two add-ons create) would be
 * fought over by two Applications and deleted with either, so the render refuses it, naming both folders.
 */
export function checkSingleOwners(env: string, files: readonly RenderedFile[]): void {
  const owners = new Map<string, string[]>();
  for (const file of files) {
    const folder = file.path.split('/').slice(0, 2).join('/');
    for (const o of file.objects) {
      const id = `${o.kind}.${groupOf(o.apiVersion) || 'core'} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
      const list = owners.get(id) ?? [];
      list.push(folder);
      owners.set(id, list);
    }
  }
  const problems = [...owners].filter(([, folders]) => folders.length > 1)
    .map(([id, folders]) => `  - ${id} is rendered ${folders.length} times (${folders.map((f) => `dist/${f}`).join(', ')}); exactly one Application may own it — ` +
      'render it in one of them only (for a CRD two charts ship: crds: \'none\' on the other add-on in lib/addons/catalog.ts)');
  if (problems.length > 0) throw new ConfigError(`environment ${env}: objects with more than one owner:\n${problems.join('\n')}`);
}

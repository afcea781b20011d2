import { APP_WAVES } from '../app-waves';
import type { GitOpsPlan } from '../argocd/gitops-plan';
import { groupOf, SYNC_WAVE_ANNOTATION } from '../kinds';
import type { RenderedFile } from '../kube-object';

/** What Argo CD syncs in one environment's cluster, in order: the cluster view of the diagrams. */
export interface ClusterTopology {
  /** AppProjects, all in one wave before any Application. */
  readonly projects: readonly string[];
  readonly projectsWave: number;
  /** Sorted by wave, then name. */
  readonly applications: readonly ApplicationTopology[];
  /** Inside each folder of `dist/<env>/`, the waves its objects are applied in, with the kinds in each. */
  readonly objectWaves: readonly { readonly wave: number; readonly kinds: readonly string[] }[];
}

export interface ApplicationTopology {
  readonly name: string;
  readonly project: string;
  readonly wave: number;
  readonly namespace: string;
  readonly description: string;
  /** A folder of this repository the Application owns, or the upstream Helm chart of an add-on. */
  readonly source: { readonly folder: string } | { readonly chart: string; readonly version: string; readonly repoURL: string };
}

/** The cluster view from the checked Argo CD plan and the rendered `dist/<env>/` files. */
export function clusterTopology(plan: GitOpsPlan, distFiles: readonly RenderedFile[]): ClusterTopology {
  const waves = new Map<number, Set<string>>();
  for (const file of distFiles) {
    for (const o of file.objects) {
      const wave = Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);
      const group = groupOf(o.apiVersion);
      waves.set(wave, (waves.get(wave) ?? new Set()).add(group ? `${o.kind} (${group})` : o.kind));
    }
  }
  return {
    projects: plan.projects.map((p) => p.name).sort(),
    projectsWave: APP_WAVES.projects,
    applications: plan.applications
      .map((a): ApplicationTopology => ({
        name: a.name,
        project: a.project,
        wave: a.wave,
        namespace: a.destinationNamespace,
        description: a.description,
        // Every Application syncs a rendered folder; add-ons too (their charts are rendered by synth).
        source: { folder: a.source.path },
      }))
      .sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : 1)),
    objectWaves: [...waves]
      .sort(([a], [b]) => a - b)
      .map(([wave, kinds]) => ({ wave, kinds: [...kinds].sort() })),
  };
}

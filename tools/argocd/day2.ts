// Day-2 changes for validate:argocd: each is a commit pushed to the served repository, followed by a hard
// refresh (instead of waiting for Argo CD's poll), and an assertion on what changed in the cluster.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../../lib/render/serialize';
import type { KubeObject } from '../../lib/kube-object';
import type { Kube, KObject } from './kube';
import type { ServedRepo } from './stack';
import type { StatusWriter } from './status-writer';

export interface Day2Context {
  env: string;
  kube: Kube;
  repo: ServedRepo;
  observer: { apps: ReadonlyMap<string, { last?: KObject; deleted: boolean }>; done: (a: KObject | undefined) => boolean };
  writer: StatusWriter;
  log: (msg: string) => void;
  refresh: () => Promise<void>;
}

export interface Day2Case {
  name: string;
  /** Returns the problems found; empty when the change did exactly what it should. */
  run: (ctx: Day2Context) => Promise<string[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ref {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

const plural = (kind: string) => {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? `${k}es` : `${k}s`;
};
const pathOf = (r: Ref) =>
  `${r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`}${r.namespace ? `/namespaces/${r.namespace}` : ''}/${plural(r.kind)}/${r.name}`;
const idOf = (r: Ref) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
const refOf = (o: KObject): Ref => {
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  return { group, version, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
};

function docs(repo: ServedRepo, file: string): KObject[] {
  return parseAllDocuments(readFileSync(repo.path(file), 'utf8')).map((d) => d.toJS() as KObject).filter((o) => o && o.kind);
}

/** Written with the render's own emitter: Argo CD reads YAML 1.1, where a bare `no` is false. */
function writeDocs(repo: ServedRepo, file: string, objects: KObject[]): void {
  writeFileSync(repo.path(file), toYaml(objects as KubeObject[]));
}

/**
 * What moves when Git (or a person) changes an object: its generation where the API has one, else a hash of
 * everything but status and server-written metadata (a ResourceQuota's usage is not a change).
 */
function fingerprint(o: KObject): string {
  if (o.metadata.generation !== undefined) return `generation ${o.metadata.generation}`;
  const { status: _status, metadata, ...rest } = o;
  void _status;
  const body = JSON.stringify({ ...rest, labels: metadata.labels, annotations: metadata.annotations });
  return `sha ${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;
}

/** Every object the Applications manage, with what moves when its spec (or, without generation, anything) changes. */
async function liveState(ctx: Day2Context): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, t] of ctx.observer.apps) {
    if (t.deleted || name === 'root') continue;
    for (const r of (t.last?.status?.resources ?? []) as Ref[]) {
      const o = await ctx.kube.find(pathOf(r));
      if (o) out.set(idOf(r), fingerprint(o));
    }
  }
  return out;
}

/** Waits until every Application synced `sha` and is done again. */
async function waitConverged(ctx: Day2Context, sha: string, ms = 180_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  await ctx.refresh();
  let lastRefresh = Date.now();
  for (;;) {
    const pending = [...ctx.observer.apps.entries()]
      .filter(([, t]) => !t.deleted)
      .filter(([, t]) => !(ctx.observer.done(t.last) && t.last?.status?.sync?.revision === sha && t.last?.status?.operationState?.syncResult?.revision === sha))
      .map(([n]) => n);
    // An Application whose files did not change keeps its last synced revision only if Argo CD never re-synced
    // it: accept Synced + Healthy at the new revision without a new operation too.
    const stuck = pending.filter((n) => {
      const a = ctx.observer.apps.get(n)!.last;
      // The root's own health aggregates its children and the review ApplicationSet, which no controller runs
      // here; as in the bootstrap, the root must be Synced at the commit with its sync done.
      if (n === 'root') return !(a?.status?.sync?.status === 'Synced' && a?.status?.sync?.revision === sha && !a?.operation && a?.status?.operationState?.phase !== 'Running');
      return !(a?.status?.sync?.status === 'Synced' && a?.status?.sync?.revision === sha && a?.status?.health?.status === 'Healthy' && !a?.operation
        && a?.status?.operationState?.phase !== 'Running');
    });
    if (stuck.length === 0) return [];
    if (Date.now() > deadline) {
      return stuck.map((n) => {
        const s = ctx.observer.apps.get(n)!.last?.status;
        return `${n} did not converge on ${sha.slice(0, 8)}: ${s?.sync?.status ?? '-'} at ${String(s?.sync?.revision ?? '-').slice(0, 8)} / ${s?.health?.status ?? '-'} / ${s?.operationState?.phase ?? '-'} ${s?.operationState?.message ?? ''}`;
      });
    }
    if (Date.now() - lastRefresh > 20_000) {
      await ctx.refresh();
      lastRefresh = Date.now();
    }
    await sleep(1_000);
  }
}

/** Objects whose state moved between two snapshots, besides the expected ones; and expected that did not. */
function compare(before: Map<string, string>, after: Map<string, string>, expectChanged: Set<string>, expectGone: Set<string>): string[] {
  const problems: string[] = [];
  for (const [id, v] of before) {
    const now = after.get(id);
    if (expectGone.has(id)) {
      if (now !== undefined) problems.push(`${id} should have been pruned, is still there`);
    } else if (now === undefined) problems.push(`${id} disappeared, but nothing in Git removed it`);
    else if (expectChanged.has(id)) {
      if (now === v) problems.push(`${id} should have changed, did not`);
    } else if (now !== v) problems.push(`${id} changed (${v} → ${now}), but nothing in Git changed it`);
  }
  return problems;
}

/** The platforms' Applications (argocd/<env>/apps/platforms/), first first. */
function platformNames(ctx: Day2Context): string[] {
  return ctx.repo.files(`argocd/${ctx.env}/apps/platforms`).map((f) => f.split('/').pop()!.replace(/\.yaml$/, ''));
}

/** Platform files of dist/<env>/<platform>/ with a Deployment (a service), first platform first; no add-on's. */
function deploymentFiles(ctx: Day2Context): { file: string; platform: string; deployment: KObject }[] {
  const out: { file: string; platform: string; deployment: KObject }[] = [];
  const platforms = new Set(platformNames(ctx));
  for (const f of ctx.repo.files(`dist/${ctx.env}`)) {
    const platform = f.split('/')[2];
    if (!platforms.has(platform)) continue;
    const d = docs(ctx.repo, f).find((o) => o.kind === 'Deployment');
    if (d) out.push({ file: f, platform, deployment: d });
  }
  return out;
}

export const DAY2_CASES: Day2Case[] = [
  {
    name: 'bump one image → only that Deployment changes',
    run: async (ctx) => {
      const [target] = deploymentFiles(ctx);
      const before = await liveState(ctx);
      const objects = docs(ctx.repo, target.file);
      const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === target.deployment.metadata.name)!;
      const c = d.spec.template.spec.containers[0];
      c.image = String(c.image).replace(/(@sha256:[0-9a-f]+|:[^:/@]+)$/, '') + ':validate-argocd-bump';
      writeDocs(ctx.repo, target.file, objects);
      const sha = await ctx.repo.commit(`day-2: bump ${d.metadata.name}'s image`);
      const problems = await waitConverged(ctx, sha);
      if (problems.length) return problems;
      const live = await ctx.kube.get(pathOf(refOf(d)));
      if (live.spec.template.spec.containers[0].image !== c.image) problems.push(`Deployment ${d.metadata.name} runs ${live.spec.template.spec.containers[0].image}, Git says ${c.image}`);
      return [...problems, ...compare(before, await liveState(ctx), new Set([idOf(refOf(d))]), new Set())];
    },
  },
  {
    name: 'a hand edit in the cluster is reverted (self-heal), an HPA-managed replica count is not fought',
    run: async (ctx) => {
      const problems: string[] = [];
      const [target] = deploymentFiles(ctx);
      const ref = refOf(target.deployment);
      const wanted = target.deployment.spec.template.spec.containers[0].image;
      // A person edits the image by hand (an update, as kubectl edit does).
      const live = await ctx.kube.get(pathOf(ref));
      live.spec.template.spec.containers[0].image = 'registry.invalid/hand-edit:1';
      const r = await ctx.kube.request('PUT', `${pathOf(ref)}?fieldManager=kubectl-edit`, live);
      if (r.status !== 200) return [`hand edit of ${idOf(ref)} refused: ${r.status} ${r.body?.message}`];
      let reverted = false;
      for (let i = 0; i < 60 && !reverted; i++) {
        await sleep(1_000);
        reverted = (await ctx.kube.get(pathOf(ref))).spec.template.spec.containers[0].image === wanted;
      }
      if (!reverted) problems.push(`${idOf(ref)}: the hand-edited image was not reverted to ${wanted} within 60s (selfHeal)`);

      // The HPA controller scales a Deployment that Git renders without spec.replicas: Argo CD must leave it.
      const platforms = new Set(platformNames(ctx));
      const hpaFile = ctx.repo.files(`dist/${ctx.env}`).filter((f) => platforms.has(f.split('/')[2])).map((f) => ({ f, hpa: docs(ctx.repo, f).find((o) => o.kind === 'HorizontalPodAutoscaler') })).find((x) => x.hpa);
      if (!hpaFile) return [...problems, `no platform of dist/${ctx.env} renders a HorizontalPodAutoscaler: run the day-2 cases on an environment with autoscaling (--day2-env)`];
      const target2 = hpaFile.hpa!.spec.scaleTargetRef;
      const depRef: Ref = { group: 'apps', version: 'v1', kind: target2.kind, namespace: hpaFile.hpa!.metadata.namespace, name: target2.name };
      const scale = await ctx.kube.get(`${pathOf(depRef)}/scale`);
      const replicas = (scale.spec.replicas ?? 1) + 2;
      const s = await ctx.kube.request('PUT', `${pathOf(depRef)}/scale?fieldManager=horizontal-pod-autoscaler`, { ...scale, spec: { replicas } });
      if (s.status !== 200) return [...problems, `scaling ${idOf(depRef)} as the HPA would: ${s.status} ${s.body?.message}`];
      await ctx.refresh();
      await sleep(20_000);
      const now = await ctx.kube.get(pathOf(depRef));
      if (now.spec.replicas !== replicas) problems.push(`${idOf(depRef)}: replicas ${now.spec.replicas} after the HPA set ${replicas}: Argo CD fought the HPA`);
      const app = [...ctx.observer.apps.values()].find((t) => (t.last?.status?.resources ?? []).some((x: KObject) => x.kind === depRef.kind && x.name === depRef.name && x.namespace === depRef.namespace));
      if (app?.last?.status?.sync?.status !== 'Synced') problems.push(`${app?.last?.metadata?.name ?? '?'} is ${app?.last?.status?.sync?.status} after the HPA scaled ${idOf(depRef)}`);
      return problems;
    },
  },
  {
    name: 'remove the last HorizontalPodAutoscaler of a platform (autoscaling off) → the old ones are pruned, not orphaned',
    run: async (ctx) => {
      const platforms = new Set(platformNames(ctx));
      const files = ctx.repo.files(`dist/${ctx.env}`).filter((f) => platforms.has(f.split('/')[2]) && docs(ctx.repo, f).some((o) => o.kind === 'HorizontalPodAutoscaler'));
      if (files.length === 0) return [`no platform of dist/${ctx.env} renders a HorizontalPodAutoscaler: run the day-2 cases on an environment with autoscaling (--day2-env)`];
      const platform = files[0].split('/')[2];
      const before = await liveState(ctx);
      const gone = new Set<string>();
      for (const f of files.filter((x) => x.split('/')[2] === platform)) {
        const objects = docs(ctx.repo, f);
        for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler')) gone.add(idOf(refOf(o)));
        writeDocs(ctx.repo, f, objects.filter((x) => x.kind !== 'HorizontalPodAutoscaler'));
      }
      const sha = await ctx.repo.commit(`day-2: autoscaling off in ${platform}`);
      const problems = await waitConverged(ctx, sha);
      if (problems.length) return problems;
      return compare(before, await liveState(ctx), new Set(), gone).concat(
        ...(await Promise.all([...gone].map(async (id) => {
          const [kind, nsName] = id.split(' ');
          const [ns, name] = nsName.split('/');
          return (await ctx.kube.find(pathOf({ group: 'autoscaling', version: 'v2', kind, namespace: ns, name }))) ? [`${id} is still in the cluster (orphaned)`] : [];
        }))),
      );
    },
  },
  {
    name: 'remove one service → exactly its objects are pruned, nothing else changes',
    run: async (ctx) => {
      const candidates = deploymentFiles(ctx);
      const target = candidates[candidates.length - 1];
      const before = await liveState(ctx);
      const docs0 = docs(ctx.repo, target.file);
      const gone = new Set(docs0.map((o) => idOf(refOf(o))));
      ctx.repo.remove(target.file);
      const sha = await ctx.repo.commit(`day-2: remove ${target.file}`);
      const problems = await waitConverged(ctx, sha);
      if (problems.length) return problems;
      // Pruned objects leave the Application's resource list: look each one up in the cluster itself.
      const left: string[] = [];
      for (const r of docs0.map(refOf)) {
        const o = await ctx.kube.find(pathOf(r));
        if (o && !o.metadata.deletionTimestamp) left.push(idOf(r));
      }
      return [...left.map((id) => `${id} left Git but is still in the cluster (not pruned)`), ...compare(before, await liveState(ctx), new Set(), gone)];
    },
  },
  {
    name: 'remove a whole platform → its Namespace and PersistentVolumeClaims survive, everything else of it is deleted',
    run: async (ctx) => {
      const platforms = platformNames(ctx);
      const platform = platforms[platforms.length - 1];
      const objects = ctx.repo.files(`dist/${ctx.env}/${platform}`).flatMap((f) => docs(ctx.repo, f));
      const ns = objects.find((o) => o.kind === 'Namespace');
      if (!ns) return [`dist/${ctx.env}/${platform} renders no Namespace`];
      // A data store's volume, as the StatefulSet controller creates it from volumeClaimTemplates.
      const sts = objects.find((o) => o.kind === 'StatefulSet' && o.spec.volumeClaimTemplates?.length);
      const claim = sts
        ? `${sts.spec.volumeClaimTemplates[0].metadata.name}-${sts.metadata.name}-0`
        : 'data-0';
      const pvcPath = `/api/v1/namespaces/${ns.metadata.name}/persistentvolumeclaims/${claim}`;
      await ctx.kube.apply(pvcPath, {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        metadata: { name: claim, namespace: ns.metadata.name, labels: sts?.spec.selector?.matchLabels ?? {} },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }, 'statefulset-controller');
      ctx.repo.remove(`argocd/${ctx.env}/apps/platforms/${platform}.yaml`);
      ctx.repo.remove(`argocd/${ctx.env}/apps/projects/${platform}.yaml`);
      ctx.repo.remove(`dist/${ctx.env}/${platform}`);
      const sha = await ctx.repo.commit(`day-2: remove platform ${platform}`);
      const deadline = Date.now() + 180_000;
      await ctx.refresh();
      while (Date.now() < deadline && (await ctx.kube.find(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${platform}`))) await sleep(1_000);
      const problems: string[] = [];
      if (await ctx.kube.find(`/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${platform}`)) problems.push(`Application ${platform} was not deleted within 180s of leaving Git`);
      problems.push(...(await waitConverged(ctx, sha)));
      const liveNs = await ctx.kube.find(`/api/v1/namespaces/${ns.metadata.name}`);
      if (!liveNs) problems.push(`Namespace ${ns.metadata.name} was deleted with its platform (and every volume in it)`);
      else if (liveNs.metadata.deletionTimestamp) problems.push(`Namespace ${ns.metadata.name} is being deleted with its platform`);
      if (!(await ctx.kube.find(pvcPath))) problems.push(`PersistentVolumeClaim ${ns.metadata.name}/${claim} was deleted with its platform`);
      for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
        const live = await ctx.kube.find(pathOf(refOf(o)));
        if (live && !live.metadata.deletionTimestamp) problems.push(`${idOf(refOf(o))} survived its platform's removal`);
      }
      return problems;
    },
  },
];

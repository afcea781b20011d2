// A stand-in for the servers behind aggregated APIs (metrics-server's `v1beta1.metrics.k8s.io`): this cluster
// runs no Pod, so without it kube-apiserver marks every APIService Available=False, Argo CD keeps the
// metrics-server Application Progressing forever and discovery of the group fails for Argo CD, the garbage
// collector and the namespace controller alike. The stand-in answers discovery with the group's resources
// (read-only, empty lists) on an address of the private loopback and writes the Endpoints and EndpointSlice the endpoint controllers
// would write for the APIService's Service, pointing at it (kube-apiserver runs with --enable-aggregator-routing).
// It never writes the APIService itself: its Available condition comes from kube-apiserver's own check.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../apiserver/cluster';
import type { Kube, KObject } from './kube';
import { Repeat } from './repeat';

/** What each aggregated group serves; an APIService of another group is answered with no resources. */
const RESOURCES: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  'metrics.k8s.io': [
    { name: 'nodes', kind: 'NodeMetrics', namespaced: false },
    { name: 'pods', kind: 'PodMetrics', namespaced: true },
  ],
};

const FIELD_MANAGER = 'validate-argocd-stand-in';

/**
 * Where the stand-in listens: an address of the private network namespace's loopback device (validate-argocd.ts
 * adds it), since Endpoints may not name a 127.0.0.0/8 address. Outside the service CIDR (10.96.0.0/16).
 */
export const STAND_IN_IP = '10.244.0.10';

export class AggregatedApiStandIn {
  private server: Server | undefined;
  private readonly repeat: Repeat;
  private readonly dir = mkdtempSync(join(tmpdir(), 'aggregated-api-'));
  /** `<namespace>/<service>` → done. */
  private readonly wired = new Set<string>();

  constructor(private readonly kube: Kube, intervalMs = 1_000) {
    this.repeat = new Repeat(() => this.once(), intervalMs);
  }

  /** Why the last pass failed, if it did. */
  get lastError(): string | undefined {
    return this.repeat.lastError;
  }

  async start(): Promise<void> {
    const key = join(this.dir, 'key.pem');
    const cert = join(this.dir, 'cert.pem');
    const r = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=aggregated-api-stand-in']);
    if (r.code !== 0) throw new Error(`openssl: ${r.stderr.trim()}`);
    this.server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      const body = answer(req.url ?? '/');
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    });
    await new Promise<void>((resolvePromise) => this.server!.listen(0, STAND_IN_IP, resolvePromise));
    this.repeat.start();
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Points every APIService's Service at the stand-in, once the Service exists. */
  async once(): Promise<void> {
    for (const api of await this.kube.list('/apis/apiregistration.k8s.io/v1/apiservices')) {
      const ref = api.spec?.service;
      if (!ref || this.wired.has(`${ref.namespace}/${ref.name}`)) continue;
      const svc = await this.kube.find(`/api/v1/namespaces/${ref.namespace}/services/${ref.name}`);
      if (!svc) continue;
      const port = (svc.spec.ports as KObject[]).find((p) => p.port === (ref.port ?? 443));
      if (!port) continue;
      const portName = port.name ?? '';
      await this.kube.apply(`/api/v1/namespaces/${ref.namespace}/endpoints/${ref.name}`, {
        apiVersion: 'v1', kind: 'Endpoints', metadata: { name: ref.name, namespace: ref.namespace },
        subsets: [{ addresses: [{ ip: STAND_IN_IP }], ports: [{ name: portName, port: this.port, protocol: 'TCP' }] }],
      }, FIELD_MANAGER);
      await this.kube.apply(`/apis/discovery.k8s.io/v1/namespaces/${ref.namespace}/endpointslices/${ref.name}-stand-in`, {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name: `${ref.name}-stand-in`, namespace: ref.namespace, labels: { 'kubernetes.io/service-name': ref.name, 'endpointslice.kubernetes.io/managed-by': FIELD_MANAGER } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [STAND_IN_IP], conditions: { ready: true } }],
        ports: [{ name: portName, port: this.port, protocol: 'TCP' }],
      }, FIELD_MANAGER);
      this.wired.add(`${ref.namespace}/${ref.name}`);
    }
  }

  async stop(): Promise<void> {
    this.repeat.stop();
    await new Promise<void>((resolvePromise) => (this.server ? this.server.close(() => resolvePromise()) : resolvePromise()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Legacy discovery and empty lists for the groups behind APIServices. */
function answer(url: string): KObject | undefined {
  const path = url.split('?')[0].replace(/\/+$/, '');
  if (path === '/apis') {
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: Object.keys(RESOURCES).map((name) => ({ name, versions: [{ groupVersion: `${name}/v1beta1`, version: 'v1beta1' }], preferredVersion: { groupVersion: `${name}/v1beta1`, version: 'v1beta1' } })),
    };
  }
  const m = /^\/apis\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(path);
  if (!m) return path === '/healthz' || path === '/readyz' || path === '/livez' ? { status: 'ok' } : undefined;
  const [, group, version, rest] = m;
  const resources = RESOURCES[group] ?? [];
  if (!rest) {
    return {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`,
      resources: resources.map((r) => ({ name: r.name, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list'] })),
    };
  }
  const plural = rest.split('/').filter((p, i, all) => !(p === 'namespaces' || all[i - 1] === 'namespaces')).pop();
  const r = resources.find((x) => x.name === plural);
  return r ? { kind: `${r.kind}List`, apiVersion: `${group}/${version}`, metadata: {}, items: [] } : undefined;
}

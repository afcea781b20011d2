import type { Kube, KObject } from '../tools/argocd/kube';
import { StatusWriter } from '../tools/argocd/status-writer';

/** An in-memory stand-in for the API server: lists by collection path, records status patches. */
class FakeKube {
  readonly patches: { path: string; status: KObject }[] = [];
  constructor(private readonly objects: Record<string, KObject[]>) {}
  async list(path: string): Promise<KObject[]> {
    return this.objects[path] ?? [];
  }
  async mergePatch(path: string, patch: { status: KObject }) {
    this.patches.push({ path, status: patch.status });
    return { status: 200, body: { ...this.find(path), status: patch.status } };
  }
  private find(statusPath: string): KObject {
    const name = statusPath.split('/').slice(-2, -1)[0];
    return Object.values(this.objects).flat().find((o) => o.metadata.name === name)!;
  }
}

const meta = (name: string, namespace?: string) => ({ name, namespace, generation: 1 });
const writer = (objects: Record<string, KObject[]>) => {
  const kube = new FakeKube(objects);
  return { kube, w: new StatusWriter(kube as unknown as Kube) };
};
const ready = (s: KObject) => s.conditions.find((c: KObject) => c.type === 'Ready');

describe('status writer: reports what a kubelet or operator would, nothing of Argo CD', () => {
  test('a Deployment gets every replica ready at its generation; no Argo CD object is ever listed or written', async () => {
    const listed: string[] = [];
    const { kube, w } = writer({
      '/apis/apps/v1/deployments': [{ kind: 'Deployment', metadata: meta('web', 'shop'), spec: { replicas: 3 } }],
      '/apis/argoproj.io/v1alpha1/applications': [{ kind: 'Application', metadata: meta('root', 'argocd'), spec: {} }],
    });
    const list = kube.list.bind(kube);
    kube.list = async (path: string) => (listed.push(path), list(path));
    await w.once();
    expect(kube.patches.map((p) => p.path)).toEqual(['/apis/apps/v1/namespaces/shop/deployments/web/status']);
    expect(kube.patches[0].status).toMatchObject({ observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
    expect(listed).toContain('/apis/apps/v1/deployments');
    expect(listed.filter((p) => p.includes('argoproj.io'))).toEqual([]);
  });

  test('a hook Job completes the way the job controller reports it (SuccessCriteriaMet, then Complete)', async () => {
    const { kube, w } = writer({ '/apis/batch/v1/jobs': [{ kind: 'Job', metadata: meta('certgen', 'ingress'), spec: {} }] });
    await w.once();
    expect(kube.patches[0].status.conditions.map((c: KObject) => `${c.type}=${c.status}`)).toEqual(['SuccessCriteriaMet=True', 'Complete=True']);
    expect(kube.patches[0].status).toMatchObject({ succeeded: 1, startTime: expect.any(String), completionTime: expect.any(String) });
  });

  test('a status that already says it is not written again (no churn from the writer)', async () => {
    const { kube, w } = writer({
      '/api/v1/services': [{ kind: 'Service', metadata: meta('lb', 'shop'), spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ hostname: 'x' }] } } },
        { kind: 'Service', metadata: meta('internal', 'shop'), spec: { type: 'ClusterIP' } }],
    });
    await w.once();
    expect(kube.patches).toEqual([]);
  });

  test('a NodePool is Ready only when its EC2NodeClass exists; an ExternalSecret only when its store is Ready', async () => {
    const { kube, w } = writer({
      '/apis/karpenter.k8s.aws/v1/ec2nodeclasses': [{ kind: 'EC2NodeClass', metadata: meta('platforms') }],
      '/apis/karpenter.sh/v1/nodepools': [
        { kind: 'NodePool', metadata: meta('good'), spec: { template: { spec: { nodeClassRef: { name: 'platforms' } } } } },
        { kind: 'NodePool', metadata: meta('bad'), spec: { template: { spec: { nodeClassRef: { name: 'does-not-exist' } } } } },
      ],
      '/apis/external-secrets.io/v1/externalsecrets': [
        { kind: 'ExternalSecret', metadata: meta('db', 'shop'), spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'missing' } } },
      ],
    });
    await w.once();
    const status = (name: string) => kube.patches.find((p) => p.path.includes(`/${name}/status`))!.status;
    expect(ready(status('good')).status).toBe('True');
    expect(ready(status('bad'))).toMatchObject({ status: 'False', message: expect.stringContaining('EC2NodeClass "does-not-exist"') });
    expect(ready(status('db'))).toMatchObject({ status: 'False', message: 'ClusterSecretStore "missing" is not ready' });
  });
});

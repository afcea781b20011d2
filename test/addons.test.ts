import { PLATFORMS } from '../charts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS, loadEnvironment } from '../environments';
import { ADDONS, enabledAddons } from '../lib/addons/catalog';
import { ChartLock } from '../lib/addons/chart-lock';
import { chartSource, fetchChart } from '../lib/addons/chart-source';
import { HELM_VERSION } from '../lib/addons/helm';
import { checkSingleOwners } from '../lib/addons/ownership';
import { renderAddons } from '../lib/addons/render';
import { renderKey } from '../lib/addons/render-cache';
import { readVendoredCrds, vendoredCrdObjects } from '../lib/addons/vendored-crds';
import { ARGOCD_CHART, ARGOCD_VERSION } from '../lib/addons/argocd-version';
import { runSynth } from '../cli/synth-command';
import type { RenderedFile } from '../lib/kube-object';
import { Any, loadCommitted, objects, ROOT, snapshotTree, Workspace } from './helpers';
import { committedRender } from './support/committed-render';

const result = committedRender();
const inEnv = (env: string, folder: string) => objects(result.files.filter((f) => f.path.startsWith(`${env}/${folder}/`)));
const one = (env: string, folder: string, kind: string, name: string): Any => {
  const found = inEnv(env, folder).filter((o) => o.kind === kind && o.metadata.name === name);
  expect([`${kind} ${name}`, found.length]).toEqual([`${kind} ${name}`, 1]);
  return found[0];
};
const containers = (o: Any): Any[] => [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers];

describe('the committed add-on render', () => {
  test.each(ENVIRONMENTS.map((e) => e.name))('%s: comes from the committed cache: no Helm, no chart archive, no network', (name) => {
    const rendered = renderAddons(loadEnvironment(ENVIRONMENTS.find((e) => e.name === name)!, join(ROOT, 'environments')));
    expect(rendered.rendered).toEqual([]);
  });

  test('every add-on of every environment is rendered into its own folder, CRDs into <add-on>-crds', () => {
    for (const env of result.environments) {
      const folders = new Set([...result.dist.get(env)!.keys()].map((p) => p.split('/')[0]));
      for (const addon of ADDONS) expect([addon.name, folders.has(addon.name)]).toEqual([addon.name, true]);
      for (const o of objects(result.files.filter((f) => f.path.startsWith(`${env}/`)))) {
        if (o.kind === 'CustomResourceDefinition') expect(o.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
      }
      const crdFiles = result.files.filter((f) => f.path.split('/')[1].endsWith('-crds'));
      for (const f of crdFiles) expect(f.objects.map((o) => o.kind)).toEqual(['CustomResourceDefinition']);
    }
  });

  test('CRDs too large for client-side apply are applied server-side', () => {
    const prometheuses = one('prod', 'kube-prometheus-stack-crds', 'CustomResourceDefinition', 'prometheuses.monitoring.coreos.com');
    expect(JSON.stringify(prometheuses).length).toBeGreaterThan(256 * 1024);
    expect(prometheuses.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('ServerSideApply=true,Prune=false,Delete=false');
    // Deleting an Application never deletes a CRD (and every resource of its kind) or an add-on's namespace.
    expect(one('prod', 'external-secrets-crds', 'CustomResourceDefinition', 'externalsecrets.external-secrets.io').metadata.annotations['argocd.argoproj.io/sync-options']).toMatch(/Prune=false,Delete=false$/);
    expect(one('prod', 'argo-cd', 'Namespace', 'argocd').metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });

  test('the helm the cache keys name is the one scripts/ensure-helm.sh installs', () => {
    expect(readFileSync(join(ROOT, 'scripts/ensure-helm.sh'), 'utf8')).toContain(`VERSION=${HELM_VERSION}\n`);
  });
});

describe('the synth summary', () => {
  test('names the platforms and the add-ons apart', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'summary-'));
    try {
      const out: string[] = [];
      const code = runSynth(['--env', 'dev', '--out', join(scratch, 'dist'), '--argocd-out', join(scratch, 'argocd'), '--docs-out', join(scratch, 'docs')], { cwd: ROOT, stdout: (t) => out.push(t), stderr: () => undefined });
      expect(code).toBe(0);
      const platforms = PLATFORMS.map((p) => p.name).sort();
      const addons = ADDONS.map((a) => a.name).sort();
      expect(out[0]).toContain(`, ${platforms.length} platform(s) [${platforms.join(', ')}], ${addons.length} add-on(s) [${addons.join(', ')}], `);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('one owner per object', () => {
  test('both external-dns releases ship dnsendpoints.externaldns.k8s.io; only the public one renders it', () => {
    for (const env of result.environments) {
      const owners = result.files.filter((f) => f.path.startsWith(`${env}/`) && f.objects.some((o) => o.metadata.name === 'dnsendpoints.externaldns.k8s.io'));
      expect(owners.map((f) => f.path)).toEqual([`${env}/external-dns-public-crds/dnsendpoints.externaldns.k8s.io.yaml`]);
    }
  });

  test('an object rendered into two folders stops the render, naming both', () => {
    const crd = result.files.find((f) => f.path === 'dev/external-dns-public-crds/dnsendpoints.externaldns.k8s.io.yaml')!;
    const twice: RenderedFile[] = [crd, { path: 'dev/external-dns-private-crds/dnsendpoints.externaldns.k8s.io.yaml', objects: crd.objects }];
    expect(() => checkSingleOwners('dev', twice)).toThrow(
      /environment dev: objects with more than one owner:\n {2}- CustomResourceDefinition\.apiextensions\.k8s\.io dnsendpoints\.externaldns\.k8s\.io is rendered 2 times \(dist\/dev\/external-dns-public-crds, dist\/dev\/external-dns-private-crds\); exactly one Application may own it/,
    );
  });
});

describe('values from the environment and the cluster facts', () => {
  const facts = loadCommitted('prod').cluster;

  test('the AWS Load Balancer Controller gets the VPC id, cluster name and region; its webhook key never reaches Git', () => {
    const d = one('prod', 'aws-load-balancer-controller', 'Deployment', 'aws-load-balancer-controller');
    expect(d.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining([
      `--cluster-name=${facts.cluster_name}`, `--aws-region=${facts.region}`, `--aws-vpc-id=${facts.vpc_id}`,
    ]));
    expect(inEnv('prod', 'aws-load-balancer-controller').filter((o) => o.kind === 'Secret')).toEqual([]);
    const tls = one('prod', 'aws-load-balancer-controller', 'ExternalSecret', 'aws-load-balancer-tls');
    expect(tls.spec.target.template.type).toBe('kubernetes.io/tls');
    const webhook = one('prod', 'aws-load-balancer-controller', 'MutatingWebhookConfiguration', 'aws-load-balancer-webhook');
    expect(Buffer.from(webhook.webhooks[0].clientConfig.caBundle, 'base64').toString()).toBe(facts.aws_load_balancer_controller_webhook_ca);
  });

  test("Karpenter drains nodes from the cluster's interruption queue", () => {
    const d = one('prod', 'karpenter', 'Deployment', 'karpenter');
    const env = Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: Any) => [e.name, e.value]));
    expect(env).toMatchObject({ CLUSTER_NAME: facts.cluster_name, INTERRUPTION_QUEUE: facts.karpenter_interruption_queue });
    expect(d.spec.template.spec.serviceAccountName).toBe('karpenter');
  });

  test('external-dns: one instance per zone, each reading only objects labelled for it', () => {
    for (const zone of ['public', 'private'] as const) {
      const d = one('prod', `external-dns-${zone}`, 'Deployment', `external-dns-${zone}`);
      expect(d.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining([
        `--domain-filter=${zone === 'public' ? facts.public_domain : facts.private_domain}`, `--aws-zone-type=${zone}`,
        `--zone-id-filter=${facts.hosted_zone_ids[zone]}`, `--label-filter=platform-manifests/dns-zone=${zone}`, `--txt-owner-id=${facts.cluster_name}-${zone}`,
      ]));
    }
  });

  test("ingress-nginx's LoadBalancer Service is an NLB of the AWS Load Balancer Controller that terminates TLS", () => {
    const svc = one('prod', 'ingress-nginx', 'Service', 'ingress-nginx-controller');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.loadBalancerClass).toBe('service.k8s.aws/nlb');
    expect(svc.metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': facts.certificate_arns[`*.${facts.public_domain}`],
      'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(svc.spec.ports.find((p: Any) => p.name === 'https').targetPort).toBe('http');
    // Plain HTTP reaches only a listener that redirects to HTTPS (lib/ingress-nginx-controller.ts).
    expect(svc.spec.ports.find((p: Any) => p.name === 'http').targetPort).toBe('tohttps');
    const config = one('prod', 'ingress-nginx', 'ConfigMap', 'ingress-nginx-controller');
    expect(config.data['http-snippet']).toBe('server { listen 2443; return 308 https://$host$request_uri; }');
  });

  test('IRSA roles from the facts on every add-on service account that calls AWS', () => {
    for (const addon of enabledAddons(loadCommitted('prod')).filter((a) => a.addon.roleKey && a.addon.name !== 'external-dns-private')) {
      const accounts = inEnv('prod', addon.addon.name).filter((o) => o.kind === 'ServiceAccount' && o.metadata.annotations?.['eks.amazonaws.com/role-arn']);
      expect([addon.addon.name, accounts.map((a) => a.metadata.annotations['eks.amazonaws.com/role-arn'])])
        .toEqual([addon.addon.name, [facts.service_account_role_arns[addon.addon.roleKey!]]]);
    }
  });
});

describe('credentials and alert routing', () => {
  test('Grafana reads its admin credentials from an ExternalSecret; no Secret carries them', () => {
    for (const env of result.environments) {
      const grafana = one(env, 'kube-prometheus-stack', 'Deployment', 'kube-prometheus-stack-grafana');
      const refs = containers(grafana).flatMap((c) => (c.env ?? []).filter((e: Any) => e.valueFrom?.secretKeyRef).map((e: Any) => e.valueFrom.secretKeyRef.name));
      expect(new Set(refs)).toEqual(new Set(['grafana-admin']));
      const secret = one(env, 'kube-prometheus-stack', 'ExternalSecret', 'grafana-admin');
      expect(secret.spec.data.map((d: Any) => d.remoteRef.key)).toEqual([`${loadCommitted(env).secretPathPrefix}grafana/admin`, `${loadCommitted(env).secretPathPrefix}grafana/admin`]);
      expect(inEnv(env, 'kube-prometheus-stack').filter((o) => o.kind === 'Secret')).toEqual([]);
    }
  });

  test("Grafana's dashboard sidecar loads ConfigMaps labelled grafana_dashboard: \"1\" from every namespace", () => {
    const grafana = one('prod', 'kube-prometheus-stack', 'Deployment', 'kube-prometheus-stack-grafana');
    const sidecar = containers(grafana).find((c) => c.name === 'grafana-sc-dashboard');
    const env = Object.fromEntries(sidecar.env.filter((e: Any) => e.value !== undefined).map((e: Any) => [e.name, e.value]));
    expect(env).toMatchObject({ LABEL: 'grafana_dashboard', LABEL_VALUE: '1', NAMESPACE: 'ALL' });
  });

  test('Alertmanager routes critical alerts and the rest to the receivers of each environment, secrets from the store', () => {
    const am = one('prod', 'kube-prometheus-stack', 'Alertmanager', 'kube-prometheus-stack-alertmanager');
    expect(am.spec.configSecret).toBe('alertmanager-config');
    const prod = one('prod', 'kube-prometheus-stack', 'ExternalSecret', 'alertmanager-config');
    const config = prod.spec.target.template.data['alertmanager.yaml'];
    expect(config).toMatch(/- receiver: critical\n {4}matchers: \['severity = "critical"'\]/);
    expect(config).toMatch(/- name: critical\n {2}pagerduty_configs:\n {2}- routing_key: '\{\{ \.critical \}\}'/);
    expect(config).toMatch(/- name: warning\n {2}slack_configs:\n {2}- api_url: '\{\{ \.warning \}\}'\n {4}channel: '#platform-alerts'/);
    expect(config).not.toMatch(/receiver: 'null'\n {2}group_by/);
    expect(prod.spec.data.map((d: Any) => d.remoteRef)).toEqual([
      { key: 'prod/alertmanager/receivers', property: 'critical' }, { key: 'prod/alertmanager/receivers', property: 'warning' },
    ]);
    const dev = one('dev', 'kube-prometheus-stack', 'ExternalSecret', 'alertmanager-config');
    expect(dev.spec.target.template.data['alertmanager.yaml']).toMatch(/- name: critical\n {2}slack_configs:[\s\S]*channel: '#platform-alerts-dev'/);
  });

  test('the monitoring namespace may use the secret stores', () => {
    expect(one('prod', 'kube-prometheus-stack', 'Namespace', 'monitoring').metadata.labels['platform-manifests/external-secrets']).toBe('enabled');
  });
});

describe('Argo CD itself', () => {
  test(`runs ${ARGOCD_VERSION} in every component, with the repository's argocd-cm settings`, () => {
    for (const env of result.environments) {
      const images = inEnv(env, 'argo-cd').filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind)).flatMap(containers).map((c) => c.image).filter((i: string) => i.includes('argoproj/argocd'));
      expect(images.length).toBeGreaterThan(3);
      for (const image of images) expect(image).toBe(`quay.io/argoproj/argocd:${ARGOCD_VERSION}`);
      expect(one(env, 'argo-cd', 'ConfigMap', 'argocd-cm').data['application.resourceTrackingMethod']).toBe('annotation');
    }
  });
});

describe("Argo CD's CRDs are those of the version that runs", () => {
  const vendored = readVendoredCrds(ROOT, 'argo-cd', ARGOCD_VERSION);

  test(`addons/crds/argo-cd/ is a copy of manifests/crds/ of the Go module at ${ARGOCD_VERSION}`, () => {
    expect(vendored.manifest).toMatchObject({ version: ARGOCD_VERSION, source: { goModule: `github.com/argoproj/argo-cd/v3@${ARGOCD_VERSION}`, dir: 'manifests/crds' } });
    expect(Object.keys(vendored.manifest.files)).toEqual(['application-crd.yaml', 'applicationset-crd.yaml', 'appproject-crd.yaml']);
  });

  test('dist/<env>/argo-cd-crds/ holds exactly the vendored CRDs; the chart renders none of its own', () => {
    const upstream = vendoredCrdObjects(vendored, 'argo-cd');
    for (const env of result.environments) {
      const rendered = inEnv(env, 'argo-cd-crds');
      expect(rendered.map((o) => o.metadata.name).sort()).toEqual(upstream.map((o) => o.metadata.name).sort());
      for (const crd of upstream) {
        const mine = rendered.find((o) => o.metadata.name === crd.metadata.name);
        expect(mine.spec).toEqual((crd as Any).spec);
        expect(mine.metadata.labels).toEqual(crd.metadata.labels);
      }
      expect(inEnv(env, 'argo-cd').filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
    }
    // A field v3.6 added, which the chart's v3.4.4 CRDs lack.
    const application = one('prod', 'argo-cd-crds', 'CustomResourceDefinition', 'applications.argoproj.io');
    expect(JSON.stringify(application)).toContain('disableExtensionFilter');
  });

  test('vendored CRDs of another version than the one that runs are refused, saying how to refresh them', () => {
    expect(() => readVendoredCrds(ROOT, 'argo-cd', 'v9.9.9')).toThrow(
      /addons\/crds\/argo-cd\/manifest\.json: the vendored CRDs are of v3\.6\.1, but v9\.9\.9 is the version that runs — run npm run addons:crds/,
    );
  });
});

describe('network policies of the add-ons', () => {
  test('every add-on namespace it creates denies by default; every add-on workload has a policy of its own', () => {
    for (const ns of ['argocd', 'monitoring', 'external-secrets', 'ingress-nginx', 'external-dns', 'logging']) {
      const deny = objects(result.files.filter((f) => f.path.startsWith('prod/'))).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === 'default-deny');
      expect([ns, deny.length]).toEqual([ns, 1]);
    }
    const controller = one('prod', 'ingress-nginx', 'NetworkPolicy', 'ingress-nginx-controller');
    expect(controller.spec.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    expect(controller.spec.egress).toContainEqual({ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: loadCommitted('prod').cluster.vpc_cidr } }] });
    const dns = one('prod', 'external-dns-public', 'NetworkPolicy', 'external-dns-public');
    expect(dns.spec.egress).not.toContainEqual(expect.objectContaining({ to: [{ namespaceSelector: {} }, expect.anything()] }));
  });
});

describe('the chart lock', () => {
  const lock = ChartLock.load(ROOT);

  test('pins every chart the add-ons use, by exact version and digest, with its upstream repository', () => {
    const used = new Set(ADDONS.flatMap((a) => [a.chart, ...(typeof a.crds === 'object' && 'chart' in a.crds ? [a.crds.chart] : [])]));
    expect(new Set(lock.charts.map((c) => c.name))).toEqual(used);
    expect(lock.get('ingress-nginx').version).toBe('4.15.1');
    expect(lock.get('karpenter').repository).toBe('oci://public.ecr.aws/karpenter');
    // The Argo CD chart the add-on renders is the one lib/addons/argocd-version.ts names for the install.
    expect({ version: lock.get('argo-cd').version, repository: lock.get('argo-cd').repository }).toEqual({ version: ARGOCD_CHART.version, repository: ARGOCD_CHART.repoURL });
  });

  test('a chart whose archive does not match the locked digest is refused, naming both digests', () => {
    const chart = { ...lock.get('metrics-server'), sha256: '0'.repeat(64) };
    const scratch = mkdtempSync(join(tmpdir(), 'lock-'));
    try {
      expect(() => fetchChart(chart, () => 'helm-not-needed', scratch, chartSource(ROOT))).toThrow(
        new RegExp(`chart metrics-server 3\\.13\\.1 from .*shared/charts has sha256 ${lock.get('metrics-server').sha256}, but addons/charts\\.lock\\.json locks 0{64}: refusing`),
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('the cache key changes with the chart digest and with any value', () => {
    const base = { chart: 'x', version: '1.0.0', sha256: 'a'.repeat(64), helm: HELM_VERSION, release: 'x', namespace: 'x', kubeVersion: '1.34.0', apiVersions: [], includeCrds: true, values: { a: { b: 1 } } };
    expect(renderKey({ ...base, values: { a: { b: 1 } } })).toBe(renderKey(base));
    expect(renderKey({ ...base, sha256: 'b'.repeat(64) })).not.toBe(renderKey(base));
    expect(renderKey({ ...base, values: { a: { b: 2 } } })).not.toBe(renderKey(base));
  });
});

describe('synth with bad add-on input leaves dist/ and argocd/ untouched', () => {
  let ws: Workspace;
  let dist: Map<string, string>;
  let argocd: Map<string, string>;
  beforeAll(() => {
    ws = new Workspace();
    dist = snapshotTree(join(ws.dir, 'dist'));
    argocd = snapshotTree(join(ws.dir, 'argocd'));
  });
  afterAll(() => ws.remove());
  const unchanged = () => {
    expect(snapshotTree(join(ws.dir, 'dist'))).toEqual(dist);
    expect(snapshotTree(join(ws.dir, 'argocd'))).toEqual(argocd);
  };

  test('a typo in an add-on setting names the file and the field', () => {
    const r = ws.synthChanged((envs) => {
      expect(envs.prod.alerting.warning).toEqual({ type: 'slack', channel: '#platform-alerts' });
      envs.prod.alerting.warning = { type: 'slack', chanel: '#platform-alerts' };
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/synth failed, dist\/ and argocd\/ left unchanged/);
    expect(r.stderr).toMatch(/environment prod: environments\/prod\.ts is invalid:\n/);
    expect(r.stderr).toMatch(/\n {2}- alerting\.warning: Unrecognized key: "chanel"\n/);
    unchanged();
  });

  test('a bad cluster fact an add-on needs names the facts file, the field and what is allowed', () => {
    const before = ws.read('environments/clusters/staging.json');
    ws.edit('environments/clusters/staging.json', (s) => s.replace('"vpc-0a4b6c8d0e2f4a602"', '"0a4b6c8d0e2f4a602"'));
    const r = ws.synth();
    ws.write('environments/clusters/staging.json', before);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/environment staging: cluster facts .*clusters\/staging\.json are invalid:\n {2}- vpc_id: must be a VPC id/);
    unchanged();
  });

  test('a values key the chart does not know stops the render, naming the environment, the add-on, the path and the nearest keys', () => {
    const before = ws.read('lib/addons/catalog.ts');
    ws.edit('lib/addons/catalog.ts', (s) => s.replace('podDisruptionBudget: { enabled: true, minAvailable: 1 },', 'podDisruptionBudget: { enabled: true, minAvailabel: 1 },'));
    // A change to the code: the in-process synth would run this repository's catalog, so it refuses; the real
    // CLI bundles the edited one. (Once the file is written back, the tests below run in-process again.)
    expect(() => ws.synth('--env', 'dev')).toThrow(/lib\/addons\/catalog\.ts of the workspace was changed: in-process synth would not see it/);
    const r = ws.synthCliWith({ HELM_CHART_MIRROR: join(ROOT, '..', 'shared', 'charts') }, '--env', 'dev');
    ws.write('lib/addons/catalog.ts', before);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/synth failed, dist\/ and argocd\/ left unchanged/);
    expect(r.stderr).toMatch(/environment dev: add-on metrics-server: values the chart metrics-server 3\.13\.1 does not know \(Helm would ignore them silently\):\n {2}- podDisruptionBudget\.minAvailabel: the chart has no key 'minAvailabel' here \(nearest allowed: minAvailable, /);
    expect(r.stderr).toMatch(/lib\/addons\/catalog\.ts/);
    unchanged();
  });

  test('a vendored Argo CD CRD that is not the upstream file stops the render, naming it and both digests', () => {
    const file = 'addons/crds/argo-cd/appproject-crd.yaml';
    const before = ws.read(file);
    ws.edit(file, (s) => s.replace('name: appprojects.argoproj.io', 'name: appprojects.argoproj.io # edited'));
    const r = ws.synth('--env', 'dev');
    ws.write(file, before);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/vendored CRDs addons\/crds\/argo-cd do not match addons\/crds\/argo-cd\/manifest\.json:\n {2}- addons\/crds\/argo-cd\/appproject-crd\.yaml has sha256 [0-9a-f]{64}, the manifest says 084150a2[0-9a-f]{56}: it is not the upstream file\n {2}run npm run addons:crds/);
    unchanged();
  });

  test('a lock whose digest does not match the chart stops the render before Helm runs', () => {
    const before = ws.read('addons/charts.lock.json');
    const lock = JSON.parse(before);
    lock.charts.find((c: Any) => c.name === 'metrics-server').sha256 = 'f'.repeat(64);
    writeFileSync(join(ws.dir, 'addons/charts.lock.json'), JSON.stringify(lock, null, 2));
    const r = ws.synthWith({ HELM_CHART_MIRROR: join(ROOT, '..', 'shared', 'charts') }, '--env', 'dev');
    ws.write('addons/charts.lock.json', before);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/chart metrics-server 3\.13\.1 from .* has sha256 [0-9a-f]{64}, but addons\/charts\.lock\.json locks f{64}: refusing/);
    unchanged();
  });
});

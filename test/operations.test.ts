import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { longestGapSeconds } from '../lib/backup-schedule';
import { Endpoint, allowed } from './support/network-policy-evaluator';
import { Any, find, objects, render, ROOT } from './helpers';

const pod = (namespace: string, name: string): Endpoint => ({
  namespace,
  labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name },
});
const internet: Endpoint = { ip: '52.94.0.10' };

describe('backups', () => {
  const prod = render('prod');
  const staging = render('staging');
  const dev = render('dev');
  const cronJobs = (files: Any) => objects(files).filter((o) => o.kind === 'CronJob').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();

  test('prod backs up every self-hosted store on its schedule; staging its PostgreSQL too; dev nothing', () => {
    expect(cronJobs(prod)).toEqual(['sales-order/customer-mysql-backup', 'sales-order/order-mongodb-backup', 'sales-order/product-redis-backup']);
    expect(cronJobs(staging)).toEqual([
      'resource-hub/resource-hub-postgres-backup', 'sales-order/customer-mysql-backup', 'sales-order/order-mongodb-backup', 'sales-order/product-redis-backup',
    ]);
    expect(cronJobs(dev)).toEqual([]);
    expect(find(prod, 'CronJob', 'customer-mysql-backup').spec).toMatchObject({ schedule: '17 0,6,12,18 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    expect(find(staging, 'CronJob', 'resource-hub-postgres-backup').spec.schedule).toBe('30 2 * * *');
  });

  test('a backup dumps with the store image, uploads through the IRSA role to the facts bucket, and prunes by retention', () => {
    const job = find(prod, 'CronJob', 'order-mongodb-backup').spec.jobTemplate.spec;
    const spec = job.template.spec;
    expect(job.backoffLimit).toBe(2);
    expect(spec.serviceAccountName).toBe('order-mongodb-backup');
    expect(find(prod, 'ServiceAccount', 'order-mongodb-backup').metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::333333333333:role/prod-data-store-backup');
    const [dump] = spec.initContainers;
    expect(dump.image).toBe('public.ecr.aws/docker/library/mongo:7.0.14');
    expect(dump.command[2]).toContain('mongodump --host "rs0/order-mongodb-0.order-mongodb-headless.sales-order.svc.cluster.local:27017,');
    expect(dump.command[2]).toContain('--readPreference secondary --db orders');
    const [upload] = spec.containers;
    expect(upload.image).toBe('public.ecr.aws/aws-cli/aws-cli:2.27.0');
    const env = Object.fromEntries(upload.env.map((e: Any) => [e.name, e.value]));
    expect(env).toMatchObject({ BUCKET: 'acme-platform-prod-data-store-backups', PREFIX: 'prod/sales-order/order-mongodb', RETENTION_DAYS: '30', AWS_REGION: 'eu-west-1' });
    expect(upload.command[2]).toContain('aws s3 rm');
    for (const c of [dump, upload]) {
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
    expect(spec.volumes.find((v: Any) => v.name === 'backup').emptyDir.sizeLimit).toBe('20Gi');
  });

  test('a store can opt out of the environment\'s backups, or change its schedule', () => {
    const files = render('prod', (env: Any) => {
      env.platforms['sales-order'] = { dataStores: { 'product-redis': { backup: false }, 'customer-mysql': { backup: { schedule: '0 * * * *' } } } };
    });
    expect(cronJobs(files)).toEqual(['sales-order/customer-mysql-backup', 'sales-order/order-mongodb-backup']);
    expect(find(files, 'CronJob', 'customer-mysql-backup').spec.schedule).toBe('0 * * * *');
    const alert = find(files, 'PrometheusRule', 'sales-order').spec.groups.find((g: Any) => g.name === 'sales-order.backups');
    expect(alert.rules.find((r: Any) => r.expr.includes('customer-mysql-backup')).expr).toContain('> 10800');
  });

  test('the backup job reaches its store and AWS over HTTPS, nothing else; nothing reaches it', () => {
    const policies = objects(prod).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'sales-order');
    const so = (name: string) => pod('sales-order', name);
    expect(allowed(policies, so('customer-mysql-backup'), so('customer-mysql'), 3306)).toBe(true);
    expect(allowed(policies, so('customer-mysql-backup'), internet, 443)).toBe(true);
    expect(allowed(policies, so('customer-mysql-backup'), internet, 80)).toBe(false);
    expect(allowed(policies, so('customer-mysql-backup'), so('order-mongodb'), 27017)).toBe(false);
    expect(allowed(policies, so('customer-mysql-backup'), so('customer-service'), 8080)).toBe(false);
    expect(allowed(policies, so('customer-service'), so('customer-mysql-backup'), 8080)).toBe(false);
    expect(allowed(policies, so('order-mongodb-restore'), so('order-mongodb'), 27017)).toBe(true);
    expect(allowed(policies, so('order-mongodb-restore'), so('customer-mysql'), 3306)).toBe(false);
  });

  test('every backed-up store has a restore Job in restore/, which Argo CD does not sync', () => {
    for (const store of ['customer-mysql', 'order-mongodb', 'product-redis']) {
      const file = `prod/sales-order/restore/${store}.yaml`;
      const rendered = prod.find((f) => f.path === file);
      expect(rendered).toBeDefined();
      const job = rendered!.objects[0] as Any;
      expect(job).toMatchObject({ kind: 'Job', metadata: { name: `${store}-restore`, namespace: 'sales-order' }, spec: { backoffLimit: 0 } });
      expect(job.spec.template.spec.serviceAccountName).toBe(`${store}-backup`);
      expect(job.spec.template.spec.initContainers[0].command[2]).toContain('sort_by(Contents, &LastModified)[-1].Key');
      expect(existsSync(join(ROOT, 'dist', file))).toBe(true);
    }
    const redis = find(prod, 'Job', 'product-redis-restore').spec.template.spec.containers[0];
    expect(redis.command[2]).toContain('MIGRATE "$0" 6379 "" 0 60000 COPY REPLACE');
    expect(redis.resources.limits.memory).toBe('512Mi');
    expect(find(prod, 'Job', 'customer-mysql-restore').spec.template.spec.containers[0].command[2]).toBe('mysql --host=customer-mysql --port=3306 --user=root < "/backup/$DUMP_FILE"');
    // Argo CD reads a folder without recursing unless the Application says `directory: { recurse: true }`.
    for (const env of ['dev', 'staging', 'prod']) {
      const app = parse(readFileSync(join(ROOT, `argocd/${env}/apps/platforms/sales-order.yaml`), 'utf8'));
      expect(app.spec.source.path).toBe(`dist/${env}/sales-order`);
      expect(app.spec.source.directory?.recurse).not.toBe(true);
    }
  });

  test('the backup-age limit is the schedule\'s longest gap plus the job deadline', () => {
    expect(longestGapSeconds('17 0,6,12,18 * * *')).toBe(6 * 3600);
    expect(longestGapSeconds('0 2 * * 1-5')).toBe(3 * 86400);
    const rule = (files: Any, ns: string, platform: string) =>
      find(files, 'PrometheusRule', platform, ns).spec.groups.find((g: Any) => g.name === `${platform}.backups`).rules[0];
    expect(rule(prod, 'sales-order', 'sales-order').expr).toContain('> 28800');
    expect(rule(staging, 'resource-hub', 'resource-hub').expr).toContain('> 93600');
  });
});

describe('dashboards', () => {
  const prod = render('prod');
  const dashboard = (ns: string) => {
    const cm = find(prod, 'ConfigMap', `${ns}-dashboard`, ns);
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    return JSON.parse(cm.data[`${ns}.json`]);
  };
  const exprs = (d: Any) => d.panels.flatMap((p: Any) => (p.targets ?? []).map((t: Any) => t.expr));

  test('every platform has a generated dashboard', () => {
    for (const ns of ['sales-order', 'storefront', 'port-assignment', 'resource-hub', 'toytrex']) {
      const d = dashboard(ns);
      expect(d.uid).toBe(`platform-${ns}`);
      expect(d.panels.length).toBeGreaterThan(0);
    }
  });

  test('sales-order: requests, errors and latency per service, replicas, HPA, store health and backup age', () => {
    const d = dashboard('sales-order');
    const all = exprs(d);
    expect(d.panels.filter((p: Any) => p.type === 'row').map((p: Any) => p.title)).toEqual(['Requests', 'Replicas and autoscaling', 'Data stores', 'Backups']);
    for (const s of ['user-service', 'customer-service', 'product-service', 'order-service']) {
      expect(all).toContain(`histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket{namespace="sales-order", job="${s}"}[5m])))`);
    }
    expect(all.some((e: string) => e.startsWith('kube_horizontalpodautoscaler_status_current_replicas'))).toBe(true);
    expect(all).toContain('mysql_up{namespace="sales-order", job="customer-mysql-metrics"}');
    expect(all).toContain('max by (member_idx) (mongodb_rs_members_state{namespace="sales-order", job="order-mongodb-metrics"})');
    const backup = d.panels.find((p: Any) => p.title === 'product-redis: age of the last successful backup');
    expect(backup.fieldConfig.defaults.thresholds.steps[1].value).toBe(28800);
  });

  test('panel positions never overlap', () => {
    const d = dashboard('sales-order');
    const cells = new Set<string>();
    for (const p of d.panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

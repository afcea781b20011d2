import { k8s } from './k8s';
import { Construct } from 'constructs';
import { MANAGED_BY } from './labels';
import type { PlatformContext } from './platform-context';
import type { ComponentRecord, DataStoreEngine } from './component-record';

/** The label Grafana's dashboard sidecar (kube-prometheus-stack) looks for, in every namespace. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

interface Target {
  readonly expr: string;
  readonly legend: string;
}

interface PanelSpec {
  readonly title: string;
  readonly targets: readonly Target[];
  /** Grafana unit, e.g. `reqps`, `percentunit`, `s`. @default 'short' */
  readonly unit?: string;
  /** A red threshold line, e.g. the backup-age limit. */
  readonly threshold?: number;
  readonly description?: string;
}

const UP: Readonly<Record<DataStoreEngine, string>> = { mysql: 'mysql_up', mongodb: 'mongodb_up', redis: 'redis_up', postgres: 'pg_up' };
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const ROW_HEIGHT = 8;
const PANELS_PER_ROW = 3;

/**
 * One Grafana dashboard for the platform, written from its model: request rate, errors and latency of the
 * services that report HTTP metrics, replicas and HPA state of every service, health, replication and
 * volume use of every data store, and the age of each store's last backup against its limit. It changes
 * when the model does, like every other rendered object.
 */
export function platformDashboard(context: PlatformContext): Record<string, unknown> {
  const ns = `namespace="${context.namespace}"`;
  const components = context.allComponents;
  const services = components.filter((c) => c.kind === 'service');
  const http = services.filter((s) => s.httpMetrics && s.metricsJob);
  const stores = components.filter((c) => c.kind === 'data-store');
  const backups = components.filter((c) => c.backup);
  const names = (list: readonly ComponentRecord[]) => list.map((c) => c.name).join('|');

  const rows: { title: string; panels: PanelSpec[] }[] = [];
  if (http.length > 0) {
    const panels: PanelSpec[] = [];
    for (const s of http) {
      const m = s.httpMetrics!;
      const sel = `${ns}, job="${s.metricsJob}"`;
      panels.push(
        { title: `${s.name}: requests`, unit: 'reqps', targets: [{ expr: `sum by (${m.statusLabel}) (rate(${m.requests}{${sel}}[5m]))`, legend: `{{${m.statusLabel}}}` }] },
        {
          title: `${s.name}: errors (5xx share)`, unit: 'percentunit', threshold: Number((1 - m.availabilityObjective).toPrecision(6)),
          description: `Objective: ${Number((m.availabilityObjective * 100).toPrecision(6))}% of requests succeed over 30 days.`,
          targets: [{ expr: `sum(rate(${m.requests}{${sel}, ${m.statusLabel}=~"5.."}[5m])) / sum(rate(${m.requests}{${sel}}[5m]))`, legend: '5xx share' }],
        },
      );
      if (m.durationBuckets) {
        panels.push({
          title: `${s.name}: latency`, unit: 's',
          targets: [0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le) (rate(${m.durationBuckets}{${sel}}[5m])))`, legend: `p${q * 100}` })),
        });
      } else {
        panels.push({ title: `${s.name}: latency`, description: 'The service does not export a request-duration histogram.', targets: [] });
      }
    }
    rows.push({ title: 'Requests', panels });
  }
  if (services.length > 0) {
    const deployments = `deployment=~"${names(services)}"`;
    rows.push({
      title: 'Replicas and autoscaling',
      panels: [
        { title: 'Available replicas', targets: [{ expr: `kube_deployment_status_replicas_available{${ns}, ${deployments}}`, legend: '{{deployment}}' }] },
        { title: 'Unavailable replicas', targets: [{ expr: `kube_deployment_status_replicas_unavailable{${ns}, ${deployments}}`, legend: '{{deployment}}' }] },
        {
          title: 'HPA: current / maximum replicas', unit: 'percentunit', threshold: 1,
          targets: [{ expr: `kube_horizontalpodautoscaler_status_current_replicas{${ns}} / kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`, legend: '{{horizontalpodautoscaler}}' }],
        },
        { title: 'HPA: desired replicas', targets: [{ expr: `kube_horizontalpodautoscaler_status_desired_replicas{${ns}}`, legend: '{{horizontalpodautoscaler}}' }] },
        { title: 'Container restarts (1h)', targets: [{ expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`, legend: '{{pod}}' }] },
      ],
    });
  }
  if (stores.length > 0) {
    const panels: PanelSpec[] = [
      { title: 'Members ready', targets: [{ expr: `kube_statefulset_status_replicas_ready{${ns}, statefulset=~"${names(stores)}"}`, legend: '{{statefulset}}' }] },
      {
        title: 'Volume used', unit: 'percentunit', threshold: 0.85,
        targets: [{ expr: `1 - kubelet_volume_stats_available_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}}`, legend: '{{persistentvolumeclaim}}' }],
      },
    ];
    for (const s of stores.filter((c) => c.metricsJob && c.engine)) {
      const sel = `${ns}, job="${s.metricsJob}"`;
      panels.push({ title: `${s.name}: up`, targets: [{ expr: `${UP[s.engine!]}{${sel}}`, legend: '{{pod}}' }] });
      if (s.engine === 'mongodb') {
        panels.push({
          title: `${s.name}: member state (1 primary, 2 secondary)`,
          targets: [{ expr: `max by (member_idx) (mongodb_rs_members_state{${sel}})`, legend: '{{member_idx}}' }],
        });
      }
      if (s.engine === 'redis') {
        panels.push({
          title: `${s.name}: primaries and replica links`,
          targets: [
            { expr: `count(redis_instance_info{${sel}, role="master"})`, legend: 'primaries' },
            { expr: `redis_master_link_up{${sel}}`, legend: 'link {{pod}}' },
          ],
        });
      }
    }
    rows.push({ title: 'Data stores', panels });
  }
  if (backups.length > 0) {
    rows.push({
      title: 'Backups',
      panels: backups.map((c) => ({
        title: `${c.backup!.store}: age of the last successful backup`, unit: 's', threshold: c.backup!.maxAgeSeconds,
        description: `Schedule "${c.backup!.schedule}" (UTC); BackupTooOld fires above the line.`,
        targets: [{ expr: `time() - kube_cronjob_status_last_successful_time{${ns}, cronjob="${c.backup!.cronJob}"}`, legend: '{{cronjob}}' }],
      })),
    });
  }

  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    row.panels.forEach((p, i) => {
      panels.push(panel(id++, p, { h: ROW_HEIGHT, w: 24 / PANELS_PER_ROW, x: (i % PANELS_PER_ROW) * (24 / PANELS_PER_ROW), y: y + Math.floor(i / PANELS_PER_ROW) * ROW_HEIGHT }));
    });
    y += Math.ceil(row.panels.length / PANELS_PER_ROW) * ROW_HEIGHT;
  }

  return {
    uid: `platform-${context.platform}`.slice(0, 40),
    title: `${context.platform} (${context.env.name})`,
    description: `Generated by platform-manifests from the ${context.platform} model; edits in Grafana are overwritten.`,
    tags: ['platform-manifests', context.platform, context.env.name],
    timezone: 'utc',
    editable: false,
    refresh: '1m',
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }] },
    panels,
  };
}

function panel(id: number, spec: PanelSpec, gridPos: { h: number; w: number; x: number; y: number }): unknown {
  return {
    id,
    type: 'timeseries',
    title: spec.title,
    ...(spec.description ? { description: spec.description } : {}),
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: spec.unit ?? 'short',
        ...(spec.threshold !== undefined
          ? { thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: spec.threshold }] }, custom: { thresholdsStyle: { mode: 'line' } } }
          : {}),
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
    targets: spec.targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: t.expr, legendFormat: t.legend })),
  };
}

/**
 * The dashboard as a ConfigMap in the platform's namespace, labelled `grafana_dashboard: "1"`; Grafana's
 * sidecar, which kube-prometheus-stack configures to search every namespace, loads it.
 */
export class PlatformDashboard extends Construct {
  constructor(scope: Construct, id: string, context: PlatformContext) {
    super(scope, id);
    new k8s.KubeConfigMap(this, 'dashboard', {
      metadata: {
        name: `${context.platform}-dashboard`,
        labels: { [GRAFANA_DASHBOARD_LABEL]: '1', 'app.kubernetes.io/part-of': context.platform, 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      data: { [`${context.platform}.json`]: `${JSON.stringify(platformDashboard(context), null, 2)}\n` },
    });
  }
}

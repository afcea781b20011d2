import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/monitoring.coreos.com';
import { MANAGED_BY } from './labels';
import type { BackupRecord } from './component-record';
import { OTEL_COLLECTOR } from './otel-collector';
import type { PlatformContext } from './platform-context';
import type { ComponentRecord, DataStoreEngine } from './component-record';

/** One alerting rule, before it becomes part of a PrometheusRule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'warning' | 'critical';
  readonly summary: string;
}

/** A group of rules, as Prometheus evaluates them together. */
export interface AlertGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** `job=~"a|b"`, anchored by Prometheus; names are DNS labels, so nothing needs escaping. */
const jobs = (names: readonly string[]) => `job=~"${names.join('|')}"`;

/** The `up` series each engine's exporter sets to 0 when it cannot reach its store. */
const ENGINE_UP: Readonly<Record<DataStoreEngine, string>> = {
  mysql: 'mysql_up',
  mongodb: 'mongodb_up',
  redis: 'redis_up',
  postgres: 'pg_up',
};

/**
 * Everything the platform's model lets us alert on, derived from its components: workloads and services
 * (kube-state-metrics), scrape targets, error budgets of services that report HTTP requests, volumes, and
 * the health and replication of each data store from its exporter.
 */
export function platformAlertGroups(context: PlatformContext): AlertGroup[] {
  const ns = `namespace="${context.namespace}"`;
  const components = context.allComponents;
  const services = components.filter((c) => c.kind === 'service');
  const stores = components.filter((c) => c.kind === 'data-store');
  const scraped = components.filter((c) => c.metricsJob).map((c) => c.metricsJob!);

  const workloads: AlertRule[] = [
    {
      alert: 'PodCrashLooping', expr: `max_over_time(kube_pod_container_status_waiting_reason{${ns}, reason="CrashLoopBackOff"}[5m]) >= 1`,
      for: '10m', severity: 'warning', summary: 'Container {{ $labels.container }} of pod {{ $labels.pod }} is crash-looping',
    },
    {
      alert: 'DeploymentReplicasUnavailable', expr: `kube_deployment_status_replicas_unavailable{${ns}} > 0`,
      for: '15m', severity: 'warning', summary: 'Deployment {{ $labels.deployment }} has had unavailable replicas for 15 minutes',
    },
    {
      alert: 'StatefulSetReplicasNotReady', expr: `kube_statefulset_status_replicas_ready{${ns}} < kube_statefulset_replicas{${ns}}`,
      for: '15m', severity: 'critical', summary: 'StatefulSet {{ $labels.statefulset }} has had members not ready for 15 minutes',
    },
    {
      alert: 'HpaMaxedOut', expr: `kube_horizontalpodautoscaler_status_current_replicas{${ns}} >= kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
      for: '15m', severity: 'warning', summary: 'HPA {{ $labels.horizontalpodautoscaler }} has run at its maximum for 15 minutes',
    },
  ];
  if (services.length > 0) {
    workloads.push({
      alert: 'ServiceDown',
      // A service that should run (spec > 0) but has no available replica serves nobody.
      expr: `(kube_deployment_spec_replicas{${ns}, deployment=~"${services.map((s) => s.name).join('|')}"} > 0) and on (namespace, deployment) (kube_deployment_status_replicas_available{${ns}} == 0)`,
      for: '5m', severity: 'critical', summary: 'Service {{ $labels.deployment }} has no available replica',
    });
  }
  if (scraped.length > 0) {
    workloads.push({
      alert: 'MetricsTargetDown', expr: `up{${ns}, ${jobs(scraped)}} == 0`,
      for: '10m', severity: 'warning', summary: 'Prometheus cannot scrape {{ $labels.pod }} ({{ $labels.job }}): its metrics, and the alerts on them, are blind',
    });
  }
  const groups: AlertGroup[] = [{ name: `${context.platform}.workloads`, rules: workloads }];

  const budgets = services.filter((s) => s.httpMetrics && s.metricsJob).flatMap((s) => errorBudgetRules(s, ns));
  if (budgets.length > 0) groups.push({ name: `${context.platform}.error-budgets`, rules: budgets });

  if (stores.length > 0) {
    const available = `kubelet_volume_stats_available_bytes{${ns}}`;
    const capacity = `kubelet_volume_stats_capacity_bytes{${ns}}`;
    groups.push({
      name: `${context.platform}.data-stores`,
      rules: [
        {
          alert: 'PersistentVolumeFillingUp', expr: `${available} / ${capacity} < 0.15`,
          for: '5m', severity: 'critical', summary: 'Volume {{ $labels.persistentvolumeclaim }} is more than 85% full',
        },
        {
          alert: 'PersistentVolumeFullInFourDays',
          // Trend of the last 6 hours; only for volumes already past 60%, so a fresh volume's first writes do not page.
          expr: `(${available} / ${capacity} < 0.40) and predict_linear(${available}[6h], 4 * 24 * 3600) < 0`,
          for: '1h', severity: 'warning', summary: 'Volume {{ $labels.persistentvolumeclaim }} will be full within four days at the current rate',
        },
        ...stores.filter((s) => s.metricsJob && s.engine).flatMap((s) => dataStoreRules(s, ns)),
      ],
    });
  }
  const collector = components.find((c) => c.name === OTEL_COLLECTOR);
  if (collector) {
    groups.push({
      name: `${context.platform}.tracing`,
      rules: [{
        alert: 'TracesExportFailing',
        expr: `sum by (namespace, job) (rate(otelcol_exporter_send_failed_spans_total{${ns}, job="${collector.metricsJob}"}[10m])) > 0`,
        for: '15m', severity: 'warning',
        summary: 'The OpenTelemetry Collector fails to send spans to AWS X-Ray: traces are being lost',
      }],
    });
  }
  const backups = components.filter((c) => c.backup).map((c) => backupRule(c.backup!, ns));
  if (backups.length > 0) groups.push({ name: `${context.platform}.backups`, rules: backups });
  return groups;
}

/**
 * kube-state-metrics' CronJob series: the last successful run's time, and for a CronJob that never succeeded,
 * its creation time, so a backup that has never worked alerts too (once it had the chance to run).
 */
function backupRule(backup: BackupRecord, ns: string): AlertRule {
  const selector = `${ns}, cronjob="${backup.cronJob}"`;
  const limit = backup.maxAgeSeconds;
  const hours = Number((limit / 3600).toFixed(1));
  return {
    alert: 'BackupTooOld',
    expr: `(time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${selector}})) > ${limit}`
      + ` or ((time() - max by (namespace, cronjob) (kube_cronjob_created{${selector}})) > ${limit}`
      + ` unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${selector}})`,
    for: '10m', severity: 'critical',
    summary: `${backup.store}: no successful backup for more than ${hours}h (schedule "${backup.schedule}" UTC); see docs/operations.md`,
  };
}

/**
 * Multiwindow, multi-burn-rate alerts (Google SRE workbook): a 30-day budget burnt 14.4 times too fast
 * (2% in an hour) pages; 6 times too fast (5% in six hours) warns. The short window makes the alert stop
 * soon after the burn stops.
 */
function errorBudgetRules(service: ComponentRecord, ns: string): AlertRule[] {
  const http = service.httpMetrics!;
  const selector = `${ns}, job="${service.metricsJob}"`;
  const ratio = (window: string) =>
    `(sum by (namespace, job) (rate(${http.requests}{${selector}, ${http.statusLabel}=~"5.."}[${window}]))` +
    ` / sum by (namespace, job) (rate(${http.requests}{${selector}}[${window}])))`;
  const budget = Number((1 - http.availabilityObjective).toPrecision(6));
  const burn = (factor: number, long: string, short: string) =>
    `${ratio(long)} > (${factor} * ${budget}) and ${ratio(short)} > (${factor} * ${budget})`;
  const objective = `${Number((http.availabilityObjective * 100).toPrecision(6))}%`;
  return [
    {
      alert: 'ErrorBudgetBurnFast', expr: burn(14.4, '1h', '5m'), for: '2m', severity: 'critical',
      summary: `${service.name} fails so many requests that 2% of its 30-day error budget (objective ${objective}) goes in an hour`,
    },
    {
      alert: 'ErrorBudgetBurnSlow', expr: burn(6, '6h', '30m'), for: '15m', severity: 'warning',
      summary: `${service.name} fails so many requests that 5% of its 30-day error budget (objective ${objective}) goes in six hours`,
    },
  ];
}

/** Health and replication of one data store, from the metrics of its exporter. */
function dataStoreRules(store: ComponentRecord, ns: string): AlertRule[] {
  const selector = `${ns}, job="${store.metricsJob}"`;
  const rules: AlertRule[] = [{
    alert: 'DataStoreDown', expr: `${ENGINE_UP[store.engine!]}{${selector}} == 0`, for: '5m', severity: 'critical',
    summary: `${store.name}: the exporter in {{ $labels.pod }} cannot reach its ${store.engine} server`,
  }];
  if (store.engine === 'mongodb') {
    rules.push(
      {
        alert: 'MongoDbMemberUnhealthy',
        // Every member's exporter reports the whole set as it sees it; a member is unhealthy when no member
        // sees it healthy, or it is neither primary (1) nor secondary (2).
        expr: `max by (namespace, job, member_idx) (mongodb_rs_members_health{${selector}}) == 0`
          + ` or (max by (namespace, job, member_idx) (mongodb_rs_members_state{${selector}}) != 1 != 2)`,
        for: '5m', severity: 'critical', summary: `${store.name}: replica-set member {{ $labels.member_idx }} is not a healthy primary or secondary`,
      },
      {
        alert: 'MongoDbNoPrimary', expr: `max by (namespace, job) (mongodb_rs_members_state{${selector}} == bool 1) == 0`,
        for: '2m', severity: 'critical', summary: `${store.name}: the replica set has no primary; writes fail`,
      },
    );
  }
  if (store.engine === 'redis') {
    rules.push(
      {
        alert: 'RedisNoReachablePrimary',
        // Members answer, but none of them is a primary.
        expr: `count by (namespace, job) (redis_up{${selector}} == 1) unless on (namespace, job) count by (namespace, job) (redis_instance_info{${selector}, role="master"})`,
        for: '2m', severity: 'critical', summary: `${store.name}: no member is a primary; writes fail`,
      },
      {
        alert: 'RedisReplicaLinkDown', expr: `redis_master_link_up{${selector}} == 0`,
        for: '5m', severity: 'critical', summary: `${store.name}: replica {{ $labels.pod }} cannot reach its primary`,
      },
    );
  }
  return rules;
}

/**
 * The platform's PrometheusRule, with the groups above. kube-state-metrics, the kubelet and the data stores'
 * exporters (all scraped by kube-prometheus-stack) provide every series.
 */
export class PlatformAlerts extends Construct {
  constructor(scope: Construct, id: string, context: PlatformContext) {
    super(scope, id);
    new PrometheusRule(this, 'rule', {
      metadata: { name: context.platform, labels: { 'app.kubernetes.io/part-of': context.platform, 'app.kubernetes.io/managed-by': MANAGED_BY } },
      spec: {
        groups: platformAlertGroups(context).map((group) => ({
          name: group.name,
          rules: group.rules.map((r) => ({
            alert: r.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            for: r.for,
            labels: { severity: r.severity, platform: context.platform },
            annotations: { summary: r.summary },
          })),
        })),
      },
    });
  }
}

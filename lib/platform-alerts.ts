import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/monitoring.coreos.com';
import { MANAGED_BY } from './labels';
import type { PlatformContext } from './platform-context';

/**
 * The platform's PrometheusRule: crash-looping pods, workloads short of ready replicas, and an HPA stuck at its
 * maximum (the service needs more capacity than it may take). kube-state-metrics provides every series.
 */
export class PlatformAlerts extends Construct {
  constructor(scope: Construct, id: string, context: PlatformContext) {
    super(scope, id);
    const ns = `namespace="${context.namespace}"`;
    const rule = (alert: string, expr: string, forDuration: string, severity: string, summary: string) => ({
      alert,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(expr),
      for: forDuration,
      labels: { severity, platform: context.platform },
      annotations: { summary },
    });
    new PrometheusRule(this, 'rule', {
      metadata: { name: context.platform, labels: { 'app.kubernetes.io/part-of': context.platform, 'app.kubernetes.io/managed-by': MANAGED_BY } },
      spec: {
        groups: [{
          name: `${context.platform}.workloads`,
          rules: [
            rule('PodCrashLooping', `max_over_time(kube_pod_container_status_waiting_reason{${ns}, reason="CrashLoopBackOff"}[5m]) >= 1`, '10m', 'warning',
              'Container {{ $labels.container }} of pod {{ $labels.pod }} is crash-looping'),
            rule('DeploymentReplicasUnavailable', `kube_deployment_status_replicas_unavailable{${ns}} > 0`, '15m', 'warning',
              'Deployment {{ $labels.deployment }} has had unavailable replicas for 15 minutes'),
            rule('StatefulSetReplicasNotReady', `kube_statefulset_status_replicas_ready{${ns}} < kube_statefulset_replicas{${ns}}`, '15m', 'critical',
              'StatefulSet {{ $labels.statefulset }} has had members not ready for 15 minutes'),
            rule('HpaMaxedOut', `kube_horizontalpodautoscaler_status_current_replicas{${ns}} >= kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`, '15m', 'warning',
              'HPA {{ $labels.horizontalpodautoscaler }} has run at its maximum for 15 minutes'),
          ],
        }],
      },
    });
  }
}

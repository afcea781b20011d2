import type { AlertReceiver, Environment } from '../../environments/schema';
import { MANAGED_BY } from '../labels';
import { MONITORING_NAMESPACE } from '../network-policies';
import type { KubeObject } from '../kube-object';

/** Secret with Grafana's admin user and password, created by External Secrets (never the chart's default). */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** Secret with Alertmanager's whole configuration, receivers' URLs and keys included. */
export const ALERTMANAGER_CONFIG_SECRET = 'alertmanager-config';

const labels = (name: string) => ({ 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'kube-prometheus-stack' });

function externalSecret(env: Environment, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: MONITORING_NAMESPACE, labels: labels(name) },
    spec: {
      refreshInterval: env.secretRefreshInterval,
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      ...spec,
    },
  };
}

/** Grafana's admin credentials from `<prefix>grafana/admin` (properties `user` and `password`). */
export function grafanaAdminSecret(env: Environment): KubeObject {
  const remote = `${env.secretPathPrefix}grafana/admin`;
  return externalSecret(env, GRAFANA_ADMIN_SECRET, {
    target: { name: GRAFANA_ADMIN_SECRET, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
    data: [
      { secretKey: 'admin-user', remoteRef: { key: remote, property: 'user' } },
      { secretKey: 'admin-password', remoteRef: { key: remote, property: 'password' } },
    ],
  });
}

/** One Alertmanager receiver; `{{ .<severity> }}` is filled in by External Secrets from the secret store. */
function receiver(name: string, r: AlertReceiver): string {
  const secret = `'{{ .${name} }}'`;
  switch (r.type) {
    case 'slack':
      return `- name: ${name}\n  slack_configs:\n  - api_url: ${secret}\n    channel: '${r.channel}'\n    send_resolved: true\n`;
    case 'pagerduty':
      return `- name: ${name}\n  pagerduty_configs:\n  - routing_key: ${secret}\n    send_resolved: true\n`;
    case 'webhook':
      return `- name: ${name}\n  webhook_configs:\n  - url: ${secret}\n    send_resolved: true\n`;
  }
}

/**
 * Alertmanager's configuration: critical alerts to the environment's critical receiver, everything else of
 * the platforms and the cluster to its warning receiver, Watchdog and InfoInhibitor to nobody. The receiver
 * URLs and keys are properties `critical` and `warning` of `<prefix><alerting.secret>`.
 */
export function alertmanagerConfig(env: Environment): string {
  const a = env.alerting;
  return [
    'route:',
    '  receiver: warning',
    '  group_by: [alertname, namespace]',
    '  group_wait: 30s',
    '  group_interval: 5m',
    '  repeat_interval: 4h',
    '  routes:',
    "  - receiver: 'null'",
    '    matchers: [\'alertname =~ "Watchdog|InfoInhibitor"\']',
    '  - receiver: critical',
    "    matchers: ['severity = \"critical\"']",
    '  - receiver: warning',
    "    matchers: ['severity =~ \"warning|info|\"']",
    'inhibit_rules:',
    "- source_matchers: ['severity = \"critical\"']",
    "  target_matchers: ['severity =~ \"warning|info\"']",
    '  equal: [namespace, alertname]',
    'receivers:',
    "- name: 'null'",
    receiver('critical', a.critical).trimEnd(),
    receiver('warning', a.warning).trimEnd(),
    '',
  ].join('\n');
}

export function alertmanagerConfigSecret(env: Environment): KubeObject {
  const remote = `${env.secretPathPrefix}${env.alerting.secret}`;
  return externalSecret(env, ALERTMANAGER_CONFIG_SECRET, {
    target: {
      name: ALERTMANAGER_CONFIG_SECRET,
      creationPolicy: 'Owner',
      deletionPolicy: 'Retain',
      template: { engineVersion: 'v2', data: { 'alertmanager.yaml': alertmanagerConfig(env) } },
    },
    data: [
      { secretKey: 'critical', remoteRef: { key: remote, property: 'critical' } },
      { secretKey: 'warning', remoteRef: { key: remote, property: 'warning' } },
    ],
  });
}

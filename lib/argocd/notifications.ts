import type { Environment } from '../../environments/schema';
import { ConfigError } from '../errors';

/**
 * Argo CD notifications for one environment, as data: a pure function of the environment. Two triggers — a sync
 * that failed, an application whose health turned Degraded — each with its message template, sent to Slack;
 * every Application subscribes with the channel of the team that owns it (a platform's own channel, the
 * platform team's for the cluster, the add-ons and the root app).
 *
 * The same data feeds both places Argo CD reads it from: the `argocd-notifications-cm` ConfigMap
 * (`configMapData`) and the argo-cd Helm chart's values (`notifications.notifiers`, `.templates`, `.triggers`,
 * `.context`), and the Application annotations (`subscriptions`).
 */

export const NOTIFICATIONS_CONFIGMAP = 'argocd-notifications-cm';
/** The Secret Argo CD's notifications controller reads `$slack-token` from. */
export const NOTIFICATIONS_SECRET = 'argocd-notifications-secret';
export const SLACK_TOKEN_KEY = 'slack-token';

export const TRIGGERS = { syncFailed: 'on-sync-failed', healthDegraded: 'on-health-degraded' } as const;

export interface NotificationsData {
  /** `service.<name>` entries: how to reach the notifier (the token is a reference into the Secret). */
  readonly notifiers: Readonly<Record<string, string>>;
  /** `template.<name>` entries: message per trigger. */
  readonly templates: Readonly<Record<string, string>>;
  /** `trigger.<name>` entries: when to send which template. */
  readonly triggers: Readonly<Record<string, string>>;
  /** Values every template may use as `.context.<key>`. */
  readonly context: Readonly<Record<string, string>>;
  /** Everything above as the data of `argocd-notifications-cm`. */
  readonly configMapData: Readonly<Record<string, string>>;
}

const SEVERITY_COLOR = { failed: '#E96D76', degraded: '#f4c030' } as const;

function slackTemplate(title: string, color: string, body: string): string {
  // Argo CD templates are Go templates inside YAML; the Slack attachment is JSON inside that.
  const attachments = JSON.stringify([{
    title: '{{.app.metadata.name}}',
    title_link: '{{.context.argocdUrl}}/applications/{{.app.metadata.namespace}}/{{.app.metadata.name}}',
    color,
    fields: [
      { title: 'Environment', value: '{{.context.environment}}', short: true },
      { title: 'Revision', value: '{{.app.status.sync.revision}}', short: true },
    ],
  }]);
  return [
    `message: |`,
    `  ${title}`,
    ...body.split('\n').map((l) => `  ${l}`),
    `slack:`,
    `  attachments: |`,
    `    ${attachments}`,
    '',
  ].join('\n');
}

/** Triggers, templates, notifier and context of an environment's Argo CD. */
export function notificationsData(env: Environment): NotificationsData {
  const settings = env.notifications;
  const notifiers = { 'service.slack': `token: $${SLACK_TOKEN_KEY}\n` };
  const templates = {
    'template.app-sync-failed': slackTemplate(
      ':x: {{.context.environment}}: sync of {{.app.metadata.name}} failed',
      SEVERITY_COLOR.failed,
      '{{.app.status.operationState.message}}\nRevision {{.app.status.operationState.syncResult.revision}}, started {{.app.status.operationState.startedAt}}.\n{{.context.argocdUrl}}/applications/{{.app.metadata.namespace}}/{{.app.metadata.name}}?operation=true',
    ),
    'template.app-health-degraded': slackTemplate(
      ':warning: {{.context.environment}}: {{.app.metadata.name}} is Degraded',
      SEVERITY_COLOR.degraded,
      '{{with .app.status.health.message}}{{.}}{{end}}\n{{range .app.status.resources}}{{if and .health (eq .health.status "Degraded")}}- {{.kind}} {{.namespace}}/{{.name}}: {{.health.message}}\n{{end}}{{end}}{{.context.argocdUrl}}/applications/{{.app.metadata.namespace}}/{{.app.metadata.name}}',
    ),
  };
  const triggers = {
    // Once per revision: a retried sync of the same commit does not page again, a new commit that fails does.
    [`trigger.${TRIGGERS.syncFailed}`]: [
      `- description: The sync operation failed or errored`,
      `  when: app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']`,
      `  oncePer: app.status.operationState?.syncResult?.revision`,
      `  send: [app-sync-failed]`,
      '',
    ].join('\n'),
    [`trigger.${TRIGGERS.healthDegraded}`]: [
      `- description: The application's health turned Degraded`,
      `  when: app.status.health.status == 'Degraded'`,
      `  oncePer: app.status.sync.revision`,
      `  send: [app-health-degraded]`,
      '',
    ].join('\n'),
  };
  const context = {
    argocdUrl: settings.argocdUrl ?? `https://argocd.${env.cluster.private_domain}`,
    environment: env.name,
  };
  const contextYaml = Object.entries(context).map(([k, v]) => `${k}: ${v}`).join('\n');
  return {
    notifiers,
    templates,
    triggers,
    context,
    configMapData: { ...notifiers, ...templates, ...triggers, context: `${contextYaml}\n` },
  };
}

/**
 * The Slack channel an Application's failures go to: a platform's own (`notifications.channels.<platform>`,
 * default `<platform>-<env>`), otherwise the platform team's (`notifications.defaultChannel`, default
 * `platform-<env>`).
 */
export function notificationChannel(env: Environment, platform?: string): string {
  const { channels, defaultChannel } = env.notifications;
  if (platform === undefined) return defaultChannel ?? `platform-${env.name}`;
  return channels[platform] ?? `${platform}-${env.name}`;
}

/** The annotations that subscribe an Application to both triggers on its channel. */
export function notificationSubscriptions(env: Environment, platform?: string): Record<string, string> {
  const channel = notificationChannel(env, platform);
  return Object.fromEntries(
    Object.values(TRIGGERS).map((trigger) => [`notifications.argoproj.io/subscribe.${trigger}.slack`, channel]),
  );
}

/** A channel for a platform the environment does not render would route nothing: a typo. */
export function checkNotificationRouting(env: Environment, platforms: readonly string[]): void {
  for (const platform of Object.keys(env.notifications.channels)) {
    if (!platforms.includes(platform)) {
      throw new ConfigError(
        `environment ${env.name}: notifications.channels.${platform} names no platform rendered here (platforms: ${platforms.join(', ')}) — see environments/${env.name}.ts`,
      );
    }
  }
}

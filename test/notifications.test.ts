import { PLATFORMS } from '../charts';
import { parse, parseAllDocuments } from 'yaml';
import { notificationChannel, notificationsData, notificationSubscriptions, TRIGGERS } from '../lib/argocd/notifications';
import { renderAll } from '../lib/render/pipeline';
import { objects } from './helpers';
import { Any, environmentInput, loadCommitted, ROOT } from './helpers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { committedRender } from './support/committed-render';

const result = committedRender();
const argo = (env: string): Any[] => objects(result.argocdFiles.filter((f) => f.path.startsWith(`${env}/`)));

describe('Argo CD notifications', () => {
  const prod = loadCommitted('prod');
  const data = notificationsData(prod);

  test('two triggers, sync failed and health degraded, each sending a template that exists', () => {
    expect(Object.keys(data.triggers).sort()).toEqual([`trigger.${TRIGGERS.healthDegraded}`, `trigger.${TRIGGERS.syncFailed}`]);
    const failed = parse(data.triggers[`trigger.${TRIGGERS.syncFailed}`]);
    expect(failed).toEqual([expect.objectContaining({
      when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
      send: ['app-sync-failed'],
    })]);
    const degraded = parse(data.triggers[`trigger.${TRIGGERS.healthDegraded}`]);
    expect(degraded).toEqual([expect.objectContaining({ when: "app.status.health.status == 'Degraded'", send: ['app-health-degraded'] })]);
    for (const trigger of Object.values(data.triggers)) {
      for (const condition of parse(trigger)) {
        expect(condition.oncePer).toMatch(/revision$/);
        for (const template of condition.send) expect(Object.keys(data.templates)).toContain(`template.${template}`);
      }
    }
  });

  test('each template is YAML with a message and a Slack attachment that is JSON linking to the application', () => {
    for (const [key, text] of Object.entries(data.templates)) {
      const template = parse(text);
      expect([key, typeof template.message]).toEqual([key, 'string']);
      expect(template.message).toMatch(/\{\{\.context\.environment\}\}/);
      const attachments = JSON.parse(template.slack.attachments);
      expect(attachments[0].title_link).toBe('{{.context.argocdUrl}}/applications/{{.app.metadata.namespace}}/{{.app.metadata.name}}');
    }
  });

  test('the Slack token is a reference into the notifications Secret, never a value', () => {
    expect(data.notifiers).toEqual({ 'service.slack': 'token: $slack-token\n' });
  });

  test('the context names the environment and links to its Argo CD, by default on the private domain', () => {
    expect(data.context).toEqual({ argocdUrl: 'https://argocd.internal.example.com', environment: 'prod' });
    const custom = notificationsData(loadCommitted('prod', (e) => { e.notifications = { argocdUrl: 'https://deploy.example.com' }; }));
    expect(custom.context.argocdUrl).toBe('https://deploy.example.com');
  });

  test('routing: a platform to its team, everything else to the platform team, per environment', () => {
    expect(notificationChannel(prod, 'storefront')).toBe('storefront-prod');
    expect(notificationChannel(prod)).toBe('platform-prod');
    const routed = loadCommitted('dev', (e) => { e.notifications = { defaultChannel: 'ops', channels: { 'sales-order': 'so-team' } }; });
    expect(notificationSubscriptions(routed, 'sales-order')).toEqual({
      'notifications.argoproj.io/subscribe.on-sync-failed.slack': 'so-team',
      'notifications.argoproj.io/subscribe.on-health-degraded.slack': 'so-team',
    });
    expect(notificationChannel(routed, 'toytrex')).toBe('toytrex-dev');
    expect(notificationChannel(routed)).toBe('ops');
  });

  test.each(['dev', 'staging', 'prod'])('%s: every Application subscribes to both triggers on its channel', (env) => {
    for (const o of argo(env).filter((x) => x.kind === 'Application')) {
      const platform = o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] === '0' && o.spec.source.path?.startsWith(`dist/${env}/`) && !o.spec.source.path.endsWith('/cluster')
        ? o.metadata.name
        : undefined;
      const expected = platform ? `${platform}-${env}` : `platform-${env}`;
      expect([o.metadata.name, o.metadata.annotations['notifications.argoproj.io/subscribe.on-sync-failed.slack']]).toEqual([o.metadata.name, expected]);
      expect([o.metadata.name, o.metadata.annotations['notifications.argoproj.io/subscribe.on-health-degraded.slack']]).toEqual([o.metadata.name, expected]);
    }
  });

  test.each(['dev', 'staging', 'prod'])('%s: argocd-notifications-cm is rendered with exactly the function\'s data', (env) => {
    const [cm] = parseAllDocuments(readFileSync(join(ROOT, 'argocd', env, 'argocd-notifications-cm.yaml'), 'utf8')).map((d) => d.toJS());
    expect(cm.metadata).toMatchObject({ name: 'argocd-notifications-cm', namespace: 'argocd' });
    expect(cm.data).toEqual(notificationsData(loadCommitted(env)).configMapData);
  });

  test('a channel for a platform that does not exist is an error naming the field', () => {
    const input = environmentInput('staging');
    input.notifications = { channels: { 'sales-ordr': 'x' } };
    expect(() => renderAll({ platforms: PLATFORMS, environments: ['staging'], environmentInputs: [input] }))
      .toThrow(/environment staging: notifications\.channels\.sales-ordr names no platform rendered here \(platforms: sales-order, /);
  });

  test('a malformed channel is an error naming the field', () => {
    expect(() => loadCommitted('dev', (e) => { e.notifications = { defaultChannel: '#ops' }; }))
      .toThrow(/notifications\.defaultChannel: must be a Slack channel name without #/);
  });
});

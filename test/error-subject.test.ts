import { ConfigError, describeSubject, ErrorSubject } from '../lib/errors';
import type { MicroserviceProps } from '../lib/microservice';
import { buildMicroservice } from './helpers';

/** The ConfigError a Microservice with these props throws in prod (platform demo, service demo-api). */
function refusal(props: Partial<MicroserviceProps>): ConfigError {
  try {
    buildMicroservice(props);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('the props were accepted');
}

const DEMO_API: ErrorSubject = { environment: 'prod', platform: 'demo', component: { name: 'demo-api', kind: 'service' } };

describe('errors carry whom they concern as data', () => {
  test('the message starts with the subject in words: environment, component, platform, file, field', () => {
    expect(describeSubject(DEMO_API)).toBe('environment prod, service demo-api (platform demo)');
    expect(describeSubject({ ...DEMO_API, file: 'charts/demo/demo.ts', field: 'exposure.hosts' }))
      .toBe('environment prod, service demo-api (platform demo): charts/demo/demo.ts: exposure.hosts');
    expect(describeSubject({ environment: 'dev', platform: 'storefront' })).toBe('environment dev, platform storefront');
    expect(describeSubject({ ...DEMO_API, component: { name: 'orders-db', kind: 'data-store' }, part: 'exporter' }))
      .toBe('environment prod, data-store orders-db (platform demo), exporter');
    expect(new ConfigError({ ...DEMO_API, field: 'scaling' }, 'must be ≥ 1').message).toBe('environment prod, service demo-api (platform demo): scaling: must be ≥ 1');
  });

  test('a bad prop names the chart file; the subject says environment, platform and service', () => {
    const e = refusal({ scaling: { replicas: 0 } });
    expect(e.subject).toEqual({ ...DEMO_API, file: 'charts/demo/demo.ts' });
    expect(e.message).toMatch(/^environment prod, service demo-api \(platform demo\): charts\/demo\/demo\.ts: invalid props:\n {2}- scaling\.replicas: must be ≥ 1 \(got 0\)/);
  });

  test('a field the construct checks itself is named in the message and in the subject', () => {
    const e = refusal({ internal: true, exposure: { type: 'nginx-ingress', hosts: [{ subdomain: 'shop', zone: 'public' }], paths: ['/'] } });
    expect(e.subject).toEqual({ ...DEMO_API, field: 'internal' });
    expect(e.message).toMatch(/^environment prod, service demo-api \(platform demo\): internal: the service must never be internet-facing, but exposure\.hosts gives it the public host shop\./);
  });

  test('an error the construct finds itself has the same subject, without a file', () => {
    const e = refusal({ awsRole: 'nope' });
    expect(e.subject).toEqual(DEMO_API);
    expect(e.message).toMatch(/^environment prod, service demo-api \(platform demo\): awsRole 'nope' is not in the cluster facts' service_account_role_arns \(have: /);
  });

  test('a message without a known subject stays a plain message', () => {
    const e = new ConfigError('environment dev: environments/dev.ts is invalid');
    expect(e.subject).toBeUndefined();
    expect(e.message).toBe('environment dev: environments/dev.ts is invalid');
  });
});

import { Construct } from 'constructs';
import { ENVIRONMENTS } from '../environments';
import type { EnvironmentInput } from '../environments/schema';
import { Microservice } from '../lib/microservice';
import type { PlatformDefinition } from '../lib/platform';
import { PlatformChart, PlatformChartClass } from '../lib/platform-chart';
import type { PlatformContext } from '../lib/platform-context';

/**
 * A platform of `services` charts, each one Microservice through the project's public constructs:
 * ServiceAccount, ConfigMap, Deployment, Service, HPA and PDB per service, plus its derived NetworkPolicy.
 */
export function syntheticPlatform(services: number): PlatformDefinition {
  const charts: PlatformChartClass[] = [];
  for (let i = 0; i < services; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const dependency = i > 0 ? `svc-${String(i - 1).padStart(4, '0')}` : undefined;
    charts.push(class extends PlatformChart {
      constructor(scope: Construct, context: PlatformContext) {
        super(scope, name, context);
        new Microservice(this, name, {
          image: { repository: `example.com/bench/${name}`, tag: '1.0.0' },
          scaling: { autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 } },
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          config: { LOG_LEVEL: 'info', SERVICE_NAME: name },
          dependsOn: dependency ? [{ target: dependency }] : [],
        });
      }
    });
  }
  return { name: 'bench', description: `synthetic platform of ${services} services`, charts };
}

/** The three real environments, without what names the real platforms (their overrides, review environments). */
export function benchEnvironments(): EnvironmentInput[] {
  return ENVIRONMENTS.map(({ reviewEnvironments: _review, ...e }) => ({ ...e, platforms: {} }));
}

/** No releases: the synthetic services carry their images, and the committed releases/<env>.json name the real platforms. */
export function benchReleases(environments: readonly EnvironmentInput[]): Map<string, Record<string, never>> {
  return new Map(environments.map((e) => [e.name, {}]));
}

export function servicesFromEnv(): number {
  const n = Number(process.env.BENCH_SERVICES);
  if (!Number.isInteger(n) || n < 1) throw new Error('set BENCH_SERVICES to the number of services per environment');
  return n;
}

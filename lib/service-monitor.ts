import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../imports/monitoring.coreos.com';

export interface ServiceMonitorForProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** Name of the Service port that serves metrics. */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
  /** @default '30s' */
  readonly interval?: string;
}

/** A prometheus-operator ServiceMonitor that scrapes one component's Service. */
export class ServiceMonitorFor extends Construct {
  constructor(scope: Construct, id: string, props: ServiceMonitorForProps) {
    super(scope, id);
    new ServiceMonitor(this, 'resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        selector: { matchLabels: props.selector },
        endpoints: [{ port: props.port, path: props.path ?? '/metrics', interval: props.interval ?? '30s', scheme: ServiceMonitorSpecEndpointsScheme.HTTP }],
      },
    });
  }
}

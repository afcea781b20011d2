import type { PlatformDefinition } from '../../lib/platform';
import { MiddlewareChart } from './middleware';
import { WebChart } from './web';

/** ToyTrex: a three-tier application: web (NodePort behind an ALB), middleware, and RDS MariaDB. */
export const toytrex: PlatformDefinition = {
  name: 'toytrex',
  description: 'ToyTrex: web (NodePort, ALB with instance targets and ACM) → middleware → Amazon RDS MariaDB (ExternalName)',
  charts: [MiddlewareChart, WebChart],
};

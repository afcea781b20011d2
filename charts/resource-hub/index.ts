import type { PlatformDefinition } from '../../lib/platform';
import { ApiChart } from './api';
import { GatewayChart } from './gateway';

/** Resource Hub: a stateless API on PostgreSQL (self-hosted or RDS) behind an Nginx gateway and an ALB. */
export const resourceHub: PlatformDefinition = {
  name: 'resource-hub',
  description: 'Resource Hub API: api (IRSA) on PostgreSQL (StatefulSet, or Amazon RDS where the environment says so) behind an Nginx gateway and an ALB (ACM)',
  charts: [ApiChart, GatewayChart],
};

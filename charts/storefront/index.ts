import type { PlatformDefinition } from '../../lib/platform';
import { WebChart } from './web';

/** Storefront: one web application behind a Network Load Balancer on 80, 443 (TLS) and 5000 (API). */
export const storefront: PlatformDefinition = {
  name: 'storefront',
  description: 'Storefront: a single web application behind an NLB on ports 80, 443 (TLS, ACM) and 5000 (API), with a Route 53 record',
  charts: [WebChart],
};

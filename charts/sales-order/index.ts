import type { PlatformDefinition } from '../../lib/platform';
import { CustomerServiceChart } from './customer-service';
import { OrderServiceChart } from './order-service';
import { ProductServiceChart } from './product-service';
import { PLATFORM } from './shared';
import { UserServiceChart } from './user-service';

/** Sales Order System 2.0: four Spring Boot services behind NGINX, each with its own data store. */
export const salesOrder: PlatformDefinition = {
  name: PLATFORM,
  description: 'Sales Order System 2.0: user, customer, order and product services behind NGINX Ingress',
  charts: [UserServiceChart, CustomerServiceChart, ProductServiceChart, OrderServiceChart],
};

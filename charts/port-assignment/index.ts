import type { PlatformDefinition } from '../../lib/platform';
import { AssignmentEngineChart } from './assignment-engine';
import { BackendChart } from './backend';

/** port-assignment: the POC made production-ready: an ALB with ACM in front of the backend, an internal engine. */
export const portAssignment: PlatformDefinition = {
  name: 'port-assignment',
  description: 'Port assignment: a backend behind internet-facing and internal ALBs (ACM), and an internal-only assignment engine',
  charts: [AssignmentEngineChart, BackendChart],
};

import type { PlatformDefinition } from '../lib/platform';
import { salesOrder } from './sales-order';

/** Every platform this repository renders, in the order of `shared/platforms.md`. */
export const PLATFORMS: readonly PlatformDefinition[] = [salesOrder];

import type { PlatformDefinition } from '../lib/platform';
import { portAssignment } from './port-assignment';
import { resourceHub } from './resource-hub';
import { salesOrder } from './sales-order';
import { storefront } from './storefront';
import { toytrex } from './toytrex';

/** Every platform this repository renders, in the order of `shared/platforms.md`. */
export const PLATFORMS: readonly PlatformDefinition[] = [salesOrder, storefront, portAssignment, resourceHub, toytrex];

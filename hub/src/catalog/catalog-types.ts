import type { Clock, Logger } from '@ballast/common';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import type { Architecture } from '../cloud/cloud-types.ts';
import type { RefreshStatus } from './refresh-task.ts';

/** The part of the cloud the catalog reads. */
export type CatalogCloud = Pick<CloudProvider, 'describeInstanceTypes' | 'describeSpotPriceHistory' | 'describeAvailabilityZones'>;

export type OnDemandSource = { file: string } | { prices: Readonly<Record<string, number>>; observedAt?: number };

export interface CatalogOptions {
  cloud: CatalogCloud;
  clock: Clock;
  onDemand: OnDemandSource;
  /** Only these types (default: every type the region offers). */
  instanceTypes?: readonly string[];
  /** Only these zones (default: every zone of the region). */
  zones?: readonly string[];
  /** Instance types, zones and the on-demand file change rarely: default daily. */
  instanceTypesEveryMs?: number;
  /** Default 5 minutes. */
  spotPricesEveryMs?: number;
  /** After a failed refresh, retry after this long (capped by the refresh's own period); default 1 minute. */
  retryAfterFailureMs?: number;
  /** Spot history kept per pool; default 7 days, the scoring model's volatility window. */
  priceHistoryMs?: number;
  logger?: Logger;
}

export const CATALOG_DEFAULTS = {
  instanceTypesEveryMs: 86_400_000,
  spotPricesEveryMs: 300_000,
  retryAfterFailureMs: 60_000,
  priceHistoryMs: 7 * 86_400_000,
} as const;

export interface CatalogInstanceType {
  instanceType: string;
  vcpu: number;
  memoryMib: number;
  architectures: Architecture[];
  gpuCount: number;
  supportsSpot: boolean;
  supportsOnDemand: boolean;
  /** When the last successful instance-type refresh listed it. */
  observedAt: number;
}

/** A price and how fresh it is. */
export interface CatalogPrice {
  /** USD/hour. */
  pricePerHour: number;
  /** When the hub last saw this price confirmed by its source (a refresh, or the file's mtime). */
  observedAt: number;
  /** When the price took effect per the source (EC2's timestamp for spot); null when unknown. */
  effectiveFrom: number | null;
  /** "ec2" for spot prices; the file path or "inline" for on-demand prices. */
  source: string;
}

export interface CatalogStatus {
  instanceTypes: RefreshStatus & { count: number };
  spotPrices: RefreshStatus & { pools: number; oldestObservedAt: number | null };
  onDemandPrices: RefreshStatus & { source: string | null; count: number; observedAt: number | null };
}

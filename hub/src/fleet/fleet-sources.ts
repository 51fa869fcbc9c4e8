import type { AgentRecord } from '../store/metrics-store.ts';

/**
 * What the fleet metrics read, each as a narrow port so the routes can be wired to the
 * hub's parts (and tested against real ones) without depending on their classes.
 */

/** Agents the hub knows (AgentRegistry.list): null tenant = every tenant. */
export interface AgentSource {
  list(tenant: string | null): Promise<AgentRecord[]>;
}

export interface HourlyPrice {
  /** USD/hour. */
  pricePerHour: number;
}

/** Prices now (Catalog): undefined when the catalog has none. */
export interface PriceSource {
  spotPrice(instanceType: string, zone: string): HourlyPrice | undefined;
  onDemandPrice(instanceType: string): HourlyPrice | undefined;
}

/** Interruption notices and rebalance recommendations stored in the events table, counted. */
export interface RiskEventCount {
  tenant: string;
  cluster: string;
  kind: 'interruption' | 'rebalance';
  /** Distinct events (an agent's re-sent event counts once). */
  count: number;
}

export interface RiskEventSource {
  /** Counts per tenant, cluster and kind of events with time in [fromMs, toMs). */
  countRiskEvents(tenant: string | null, fromMs: number, toMs: number): Promise<RiskEventCount[]>;
}

/** How many nodes of one pool and cluster ran in one hour (the hub stored data from their agents in it). */
export interface PoolHours {
  tenant: string;
  cluster: string;
  instanceType: string;
  zone: string;
  /** spot | on-demand (the agent's lifecycle). */
  lifecycle: string;
  /** Start of the hour, epoch ms. */
  hourMs: number;
  nodes: number;
}

export interface NodeHoursSource {
  /** Per hour in [fromMs, toMs): nodes running per tenant, cluster and pool. */
  poolHours(tenant: string | null, fromMs: number, toMs: number): Promise<PoolHours[]>;
}

/** An executed switch: one instance replaced by another (or moved between spot and on-demand). */
export interface SwitchRecord {
  tenant: string;
  cluster: string;
  node: string | null;
  instanceId: string | null;
  /** replace, fallback-on-demand, revert-to-spot, consolidate, interruption, force-on-demand, … */
  reason: string;
  from: { instanceType: string; zone: string; capacityType: string } | null;
  to: { instanceType: string; zone: string; capacityType: string } | null;
  /** When it was executed, epoch ms. */
  atMs: number;
  /** USD/hour the switch was expected to save; null when unknown. */
  expectedSavingsPerHour: number | null;
}

export interface SwitchHistorySource {
  /** Switches executed at or after `sinceMs`, newest first. */
  listSwitches(tenant: string | null, sinceMs: number): Promise<SwitchRecord[]>;
}

/** The solver's best plan under the same policies and overrides: what it would save now. */
export interface BestPlan {
  /** USD/hour the best plan saves vs all on-demand. */
  savingsPerHour: number;
  computedAtMs: number;
}

export interface BestPlanSource {
  /** The latest best plan for the tenant (null: every tenant together); null when none was computed yet. */
  bestPlan(tenant: string | null): Promise<BestPlan | null>;
}

/** Clients and their clusters (TenantRepository). */
export interface ClientDirectory {
  getClient(id: string): Promise<{ id: string; name: string } | null>;
  listClusters(clientId: string): Promise<Array<{ id: string; name: string }>>;
}

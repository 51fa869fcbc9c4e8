import type { Clock, Logger } from '@ballast/common';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import { type ApprovalPolicy, DEFAULT_APPROVAL_POLICY } from '../governance/approval-policy.ts';
import { ApprovalService } from '../governance/approval-service.ts';
import { governanceKind } from '../governance/governance-job-kind.ts';
import { type HourlyPrice, type KnownFleetSource, UnregisteredInstances } from '../governance/unregistered-instances.ts';
import { KillSwitchService } from '../overrides/kill-switch-service.ts';
import { forceOnDemandSpec, killSwitchSpec, revertToSpotSpec } from '../overrides/move-kinds.ts';
import { OverridePolicy } from '../overrides/override-policy.ts';
import { OverrideService } from '../overrides/override-service.ts';
import { OverrideSweeper } from '../overrides/override-sweeper.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import { SwitchHistoryRepository } from '../state/repositories/switch-history-repository.ts';
import { storageCleanupKind } from '../storage-cleanup/cleanup-job-kind.ts';
import { StorageInventory } from '../storage-cleanup/storage-inventory.ts';
import { DEFAULT_STORAGE_PRICES, type StoragePrices } from '../storage-cleanup/storage-prices.ts';
import type { AgentCommander } from '../switches/agent-commander.ts';
import { ChildJobs } from '../switches/child-jobs.ts';
import { fleetMoveKind } from '../switches/fleet-move-kind.ts';
import { removeNodeKind } from '../switches/remove-node-kind.ts';
import { switchKind } from '../switches/switch-job-kind.ts';
import { type ChooseSpotPool, type ClusterAccess, DEFAULT_SWITCH_TIMINGS, type SwitchTimings } from '../switches/switch-ports.ts';
import { SwitchSubmitter } from '../switches/switch-submitter.ts';
import { JobKindRegistry } from './job-kind-registry.ts';
import { JobRunner, type JobRunnerOptions } from './job-runner.ts';
import { JobService } from './job-service.ts';

export interface ActionsPlaneOptions {
  store: MetadataStore;
  cloud: CloudProvider;
  clock: Clock;
  log: Logger;
  /** The clusters and nodes Ballast serves; governance never touches them. */
  knownFleet: KnownFleetSource;
  /** An instance's price now, for governance's cost column. */
  hourlyPrice: HourlyPrice;
  policy?: ApprovalPolicy;
  storagePrices?: StoragePrices;
  /** Runner tuning (lease, poll, concurrency, grace, retries) and a stable runner id. */
  runner?: Omit<JobRunnerOptions, 'store' | 'kinds' | 'clock' | 'log'>;
  /** More job kinds registered beside the built-in ones. */
  extraKinds?: (registry: JobKindRegistry) => void;
  /** Switches, force on-demand, revert to spot and the kill switch. */
  switches?: SwitchOptions;
}

export interface SwitchOptions {
  /** Each cluster's Kubernetes API (node readiness; drains of nodes without an agent). Default: none. */
  clusters?: ClusterAccess;
  /** Drains through the node's agent when it is connected. Default: none (drains through the cluster's API). */
  commander?: AgentCommander | null;
  /** Where a node goes back to spot; the decision engine supplies its choice. Default: the same type and zone on spot. */
  chooseSpotPool?: ChooseSpotPool;
  timings?: Partial<SwitchTimings>;
  /** The tenant of nodes without a tenant tag, and of hub-wide jobs (the kill switch). Default "default". */
  defaultTenant?: string;
  /** Nodes a revert moves at once. Default 2. */
  revertParallel?: number;
  /** How often the override sweeper looks for ended overrides (clock ms). Default 60 s. */
  sweepEveryMs?: number;
}

/**
 * Everything that acts on the world through jobs — the kinds registry, the runner, job
 * and approval services, storage cleanup and governance — built once and started and
 * stopped as one component. The routes take their deps from its fields.
 */
export class ActionsPlane {
  readonly kinds = new JobKindRegistry();
  readonly runner: JobRunner;
  readonly jobs: JobService;
  readonly approvals: ApprovalService;
  readonly inventory: StorageInventory;
  readonly unregistered: UnregisteredInstances;
  readonly audit: AuditRepository;
  /** The decision engine's hook: `overrideFor(instance)`. */
  readonly overridePolicy: OverridePolicy;
  readonly overrides: OverrideService;
  readonly sweeper: OverrideSweeper;
  readonly killSwitch: KillSwitchService;
  readonly switchHistory: SwitchHistoryRepository;
  /** Executes decisions: one switch job per order. */
  readonly switches: SwitchSubmitter;

  constructor(o: ActionsPlaneOptions) {
    const prices = o.storagePrices ?? DEFAULT_STORAGE_PRICES;
    this.kinds.register(storageCleanupKind({ cloud: o.cloud, prices }));
    this.kinds.register(governanceKind({ cloud: o.cloud, knownFleet: o.knownFleet, hourlyPrice: o.hourlyPrice }));
    const sw = o.switches ?? {};
    const timings = { ...DEFAULT_SWITCH_TIMINGS, ...sw.timings };
    const defaultTenant = sw.defaultTenant ?? 'default';
    this.overridePolicy = new OverridePolicy(o.store, o.clock);
    // Late-bound: parent jobs wake the runner for their children, and the runner needs the kinds first.
    const wakeLater = () => this.runner?.wake();
    const children = new ChildJobs({ store: o.store, kinds: this.kinds, clock: o.clock, wake: wakeLater });
    const clusters = sw.clusters ?? (() => null);
    this.kinds.register(switchKind({ store: o.store, cloud: o.cloud, clusters, commander: sw.commander ?? null, timings }));
    this.kinds.register(removeNodeKind({ cloud: o.cloud, clusters }));
    const moveDeps = {
      store: o.store,
      cloud: o.cloud,
      policy: this.overridePolicy,
      chooseSpotPool: sw.chooseSpotPool ?? ((i) => ({ instanceType: i.instanceType, zone: i.zone, capacityType: 'spot' as const })),
      defaultTenant,
    };
    const fleet = { cloud: o.cloud, children, pollMs: timings.pollMs };
    this.kinds.register(fleetMoveKind(forceOnDemandSpec(moveDeps), fleet));
    this.kinds.register(fleetMoveKind(revertToSpotSpec(moveDeps), fleet));
    this.kinds.register(fleetMoveKind(killSwitchSpec(moveDeps), fleet));
    o.extraKinds?.(this.kinds);
    this.runner = new JobRunner({ ...o.runner, store: o.store, kinds: this.kinds, clock: o.clock, log: o.log.child({ part: 'jobs' }) });
    const wake = () => this.runner.wake();
    this.jobs = new JobService({ store: o.store, kinds: this.kinds, policy: o.policy ?? DEFAULT_APPROVAL_POLICY, clock: o.clock, wake });
    this.approvals = new ApprovalService({ store: o.store, clock: o.clock, wake });
    this.inventory = new StorageInventory({ cloud: o.cloud, prices, clock: o.clock });
    this.unregistered = new UnregisteredInstances({ cloud: o.cloud, knownFleet: o.knownFleet, hourlyPrice: o.hourlyPrice, clock: o.clock });
    this.audit = new AuditRepository(o.store);
    this.switchHistory = new SwitchHistoryRepository(o.store);
    this.switches = new SwitchSubmitter(this.jobs);
    this.overrides = new OverrideService({
      store: o.store,
      cloud: o.cloud,
      jobs: this.jobs,
      clock: o.clock,
      revertParallel: sw.revertParallel ?? 2,
    });
    this.sweeper = new OverrideSweeper(this.overrides, o.clock, o.log.child({ part: 'overrides' }), sw.sweepEveryMs);
    this.killSwitch = new KillSwitchService({ store: o.store, jobs: this.jobs, hubTenant: defaultTenant });
  }

  /** Starts the runner, which resumes jobs an earlier run of the hub left pending or running. */
  async start(): Promise<void> {
    await this.runner.start();
    this.sweeper.start();
  }

  /** Safe before start and twice. Close the metadata store only after this. */
  async shutdown(): Promise<void> {
    await this.sweeper.shutdown();
    await this.runner.shutdown();
  }
}

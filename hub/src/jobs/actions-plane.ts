import type { Clock, Logger } from '@ballast/common';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import { type ApprovalPolicy, DEFAULT_APPROVAL_POLICY } from '../governance/approval-policy.ts';
import { ApprovalService } from '../governance/approval-service.ts';
import { governanceKind } from '../governance/governance-job-kind.ts';
import { type HourlyPrice, type KnownFleetSource, UnregisteredInstances } from '../governance/unregistered-instances.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import { storageCleanupKind } from '../storage-cleanup/cleanup-job-kind.ts';
import { StorageInventory } from '../storage-cleanup/storage-inventory.ts';
import { DEFAULT_STORAGE_PRICES, type StoragePrices } from '../storage-cleanup/storage-prices.ts';
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
  /** More job kinds (switch, force on-demand) registered beside storage cleanup and governance. */
  extraKinds?: (registry: JobKindRegistry) => void;
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

  constructor(o: ActionsPlaneOptions) {
    const prices = o.storagePrices ?? DEFAULT_STORAGE_PRICES;
    this.kinds.register(storageCleanupKind({ cloud: o.cloud, prices }));
    this.kinds.register(governanceKind({ cloud: o.cloud, knownFleet: o.knownFleet, hourlyPrice: o.hourlyPrice }));
    o.extraKinds?.(this.kinds);
    this.runner = new JobRunner({ ...o.runner, store: o.store, kinds: this.kinds, clock: o.clock, log: o.log.child({ part: 'jobs' }) });
    const wake = () => this.runner.wake();
    this.jobs = new JobService({ store: o.store, kinds: this.kinds, policy: o.policy ?? DEFAULT_APPROVAL_POLICY, clock: o.clock, wake });
    this.approvals = new ApprovalService({ store: o.store, clock: o.clock, wake });
    this.inventory = new StorageInventory({ cloud: o.cloud, prices, clock: o.clock });
    this.unregistered = new UnregisteredInstances({ cloud: o.cloud, knownFleet: o.knownFleet, hourlyPrice: o.hourlyPrice, clock: o.clock });
    this.audit = new AuditRepository(o.store);
  }

  /** Starts the runner, which resumes jobs an earlier run of the hub left pending or running. */
  start(): Promise<void> {
    return this.runner.start();
  }

  /** Safe before start and twice. Close the metadata store only after this. */
  shutdown(): Promise<void> {
    return this.runner.shutdown();
  }
}

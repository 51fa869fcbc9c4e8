import type { Clock } from '@ballast/common';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import { type Instance, TAG_KEYS } from '../cloud/cloud-types.ts';
import { JobError, type RefusedTarget } from '../jobs/job-error.ts';

/** What Ballast knows it runs: the clusters it serves and the instances their agents report from. */
export interface KnownFleet {
  clusterIds: ReadonlySet<string>;
  instanceIds: ReadonlySet<string>;
}

/** Read at every scan and again before every action, so a cluster registered meanwhile is protected at once. */
export type KnownFleetSource = () => Promise<KnownFleet>;

/** USD per hour the instance costs now (spot or on-demand price of its pool); null when unknown. */
export type HourlyPrice = (instance: Instance) => number | null;

/** The tag `tag-as-ignored` sets: a person looked at the instance and it stays. */
export const IGNORED_TAG = { key: 'ballast.io/governance', value: 'ignored' } as const;
export const HOURS_PER_MONTH = 730;

export type GovernanceCloud = Pick<CloudProvider, 'describeInstances' | 'terminate' | 'createTags'>;

export interface InstanceFinding {
  id: string;
  instanceType: string;
  zone: string;
  capacityType: Instance['capacityType'];
  state: Instance['state'];
  launchedAt: number;
  ageHours: number;
  /** The `ballast.io/cluster` tag, when it names a cluster no hub knows. */
  clusterTag: string | null;
  /** untagged: no cluster tag; unknown-cluster: tagged with a cluster Ballast does not serve. */
  reason: 'untagged' | 'unknown-cluster';
  ignored: boolean;
  /** 0 while stopped (only its volumes cost then, and cleanup counts those); null when the price is unknown. */
  hourlyCostUsd: number | null;
  monthlyCostUsd: number | null;
  tags: Record<string, string>;
}

const LIVE_STATES: Instance['state'][] = ['pending', 'running', 'stopping', 'stopped'];

/** Why Ballast must never act on the instance (it belongs to a cluster Ballast serves), or null. */
export function protectionOf(i: Instance, known: KnownFleet): string | null {
  const cluster = i.tags[TAG_KEYS.cluster];
  if (cluster !== undefined && known.clusterIds.has(cluster)) return `is a node of cluster ${cluster}`;
  if (known.instanceIds.has(i.id)) return 'is a registered node of a known cluster';
  return null;
}

/**
 * Finds instances in the account that no Ballast cluster has registered: not tagged with a
 * known cluster and not reported by a known cluster's agent. They cost money nobody may be
 * watching; governance flags them with their age and cost.
 */
export class UnregisteredInstances {
  constructor(private readonly d: { cloud: GovernanceCloud; knownFleet: KnownFleetSource; hourlyPrice: HourlyPrice; clock: Clock }) {}

  async scan(o: { includeIgnored?: boolean } = {}): Promise<InstanceFinding[]> {
    const [instances, known] = await Promise.all([this.d.cloud.describeInstances({ states: LIVE_STATES }), this.d.knownFleet()]);
    return instances
      .filter((i) => protectionOf(i, known) === null)
      .map((i) => this.finding(i))
      .filter((f) => o.includeIgnored || !f.ignored)
      .sort((a, b) => a.launchedAt - b.launchedAt || (a.id < b.id ? -1 : 1));
  }

  /**
   * The named instances, each checked: ids that do not exist (or are already terminated)
   * are `not-found`; nodes of a known cluster are `refused`. Each error names every offending
   * id, under `field`.
   */
  async check(ids: string[], field: string): Promise<InstanceFinding[]> {
    const [instances, known] = await Promise.all([this.d.cloud.describeInstances({ ids }), this.d.knownFleet()]);
    const byId = new Map(instances.map((i) => [i.id, i]));
    const missing: RefusedTarget[] = ids
      .filter((id) => !LIVE_STATES.includes(byId.get(id)?.state ?? 'terminated'))
      .map((id) => ({ id, reason: byId.has(id) ? `is ${byId.get(id)?.state}` : 'does not exist' }));
    if (missing.length > 0) {
      throw new JobError('not-found', `nothing was done: ${missing.map((m) => `${m.id} ${m.reason}`).join('; ')}`, {
        field,
        targets: missing,
      });
    }
    const refused: RefusedTarget[] = ids.flatMap((id) => {
      const why = protectionOf(byId.get(id) as Instance, known);
      return why ? [{ id, reason: why }] : [];
    });
    if (refused.length > 0) {
      throw new JobError('refused', `refused, nothing was done: ${refused.map((r) => `${r.id} ${r.reason}`).join('; ')}`, {
        field,
        targets: refused,
      });
    }
    return ids.map((id) => this.finding(byId.get(id) as Instance));
  }

  private finding(i: Instance): InstanceFinding {
    const price = i.state === 'stopped' || i.state === 'stopping' ? 0 : this.d.hourlyPrice(i);
    const cluster = i.tags[TAG_KEYS.cluster];
    return {
      id: i.id,
      instanceType: i.instanceType,
      zone: i.zone,
      capacityType: i.capacityType,
      state: i.state,
      launchedAt: i.launchTimeMs,
      ageHours: Math.max(0, Math.floor((this.d.clock.now() - i.launchTimeMs) / 3_600_000)),
      clusterTag: cluster ?? null,
      reason: cluster === undefined ? 'untagged' : 'unknown-cluster',
      ignored: i.tags[IGNORED_TAG.key] === IGNORED_TAG.value,
      hourlyCostUsd: price === null ? null : Math.round(price * 10_000) / 10_000,
      monthlyCostUsd: price === null ? null : Math.round(price * HOURS_PER_MONTH * 100) / 100,
      tags: i.tags,
    };
  }
}

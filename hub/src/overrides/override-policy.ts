import type { Clock } from '@ballast/common';
import type { MetadataStore } from '../state/metadata-store.ts';
import { OverrideRepository } from '../state/repositories/override-repository.ts';
import { PlatformSwitchRepository, SPOT_DISABLED } from '../state/repositories/platform-switch-repository.ts';
import { isUuid } from '../state/repositories/sql-values.ts';
import { SWITCH_TAGS } from '../switches/switch-ports.ts';

/** An instance as the engine asks about it; `tags` lets a force follow a node onto its replacement. */
export interface InstanceRef {
  clientId: string;
  clusterId: string;
  instanceId: string;
  tags?: Record<string, string>;
}

/** The tag value a kill-switch move puts on its replacements. */
export const KILL_SWITCH_FORCE = 'kill-switch';

/**
 * The decision engine's hook: whether anything forces an instance on-demand now — the
 * platform kill switch, an active override of its client, its cluster or itself, or the
 * override that forced the node it replaced (the `ballast.io/forced-by` tag), since an
 * instance override names an instance id the switch replaced.
 */
export class OverridePolicy {
  constructor(
    private readonly store: MetadataStore,
    private readonly clock: Clock,
  ) {}

  async spotDisabled(): Promise<boolean> {
    return (await new PlatformSwitchRepository(this.store).get(SPOT_DISABLED))?.enabled === true;
  }

  /** 'on-demand' when the instance must stay (or go) on-demand; null when spot is allowed. */
  async overrideFor(i: InstanceRef): Promise<'on-demand' | null> {
    return (await this.why(i)) === null ? null : 'on-demand';
  }

  /** What forces it: `kill-switch`, an override id, or null. */
  async why(i: InstanceRef): Promise<string | null> {
    if (await this.spotDisabled()) return KILL_SWITCH_FORCE;
    const now = this.clock.now();
    const repo = new OverrideRepository(this.store);
    const direct = await repo.applicable({ clientId: i.clientId, clusterId: i.clusterId, instanceId: i.instanceId }, now);
    if (direct[0]) return direct[0].id;
    const forcedBy = i.tags?.[SWITCH_TAGS.forcedBy];
    if (forcedBy && isUuid(forcedBy)) {
      const o = await repo.get(i.clientId, forcedBy);
      if (o && o.liftedAt === null && (o.expiresAt === null || o.expiresAt > now)) return o.id;
    }
    return null;
  }
}

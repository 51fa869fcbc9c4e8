import type { Clock } from '@ballast/common';
import type { CloudProvider } from '../cloud/cloud-provider.ts';
import { TAG_KEYS } from '../cloud/cloud-types.ts';
import { ApiError } from '../errors/api-error.ts';
import type { JobService, Requester } from '../jobs/job-service.ts';
import type { MetadataStore } from '../state/metadata-store.ts';
import type { ApprovalRecord } from '../state/repositories/approval-repository.ts';
import { AuditRepository } from '../state/repositories/audit-repository.ts';
import type { JobRecord } from '../state/repositories/job-types.ts';
import {
  type OverrideLevel,
  type OverrideRecord,
  OverrideRepository,
  type OverrideTarget,
} from '../state/repositories/override-repository.ts';
import { OverrideRevertRepository } from '../state/repositories/override-revert-repository.ts';
import { TenantRepository } from '../state/repositories/tenant-repository.ts';
import { FORCE_ON_DEMAND_KIND, REVERT_TO_SPOT_KIND } from './move-kinds.ts';

export interface ForceRequest extends Requester {
  clientId: string;
  level: OverrideLevel;
  /** The instance, cluster or client id the path names. */
  targetId: string;
  /** null: until lifted. */
  durationHours: number | null;
  reason: string;
  maxParallel: number;
}

export interface OverrideServiceDeps {
  store: MetadataStore;
  cloud: Pick<CloudProvider, 'describeInstances'>;
  jobs: JobService;
  clock: Clock;
  /** Nodes moved at once by a revert the sweeper starts. */
  revertParallel: number;
}

/** The actor the audit log names for a revert started because an override expired. */
export const SWEEPER_ACTOR = 'ballast-override-sweeper';

/**
 * Force on-demand as people ask for it: store the override with its expiry and start the
 * job that moves the affected spot nodes; lift it; and, when an override ends (lifted or
 * expired), start once the job that moves its nodes back to spot.
 */
export class OverrideService {
  constructor(private readonly d: OverrideServiceDeps) {}

  /**
   * @throws ApiError NOT_FOUND for an instance, cluster or client this tenant does not have;
   * JobError from the job's submission (its approval included).
   */
  async force(r: ForceRequest): Promise<{ override: OverrideRecord; job: JobRecord; approval: ApprovalRecord | null }> {
    const target = await this.resolve(r.clientId, r.level, r.targetId);
    const now = this.d.clock.now();
    const expiresAt = r.durationHours === null ? null : now + Math.round(r.durationHours * 3_600_000);
    const override = await this.d.store.transaction(async (tx) => {
      const o = await new OverrideRepository(tx).create(
        { clientId: r.clientId, target, reason: r.reason, createdBy: r.actor, expiresAt },
        now,
      );
      await new AuditRepository(tx).append(
        {
          clientId: r.clientId,
          actor: r.actor,
          sourceIp: r.sourceIp,
          action: 'override.created',
          target: `override:${o.id}`,
          result: 'success',
          details: { level: r.level, targetId: r.targetId, expiresAt, reason: r.reason },
        },
        now,
      );
      return o;
    });
    const { job, approval } = await this.d.jobs.submit({
      clientId: r.clientId,
      kind: FORCE_ON_DEMAND_KIND,
      params: {
        clientId: r.clientId,
        overrideId: override.id,
        level: r.level,
        clusterId: override.clusterId,
        instanceId: r.level === 'instance' ? r.targetId : null,
        maxParallel: r.maxParallel,
      },
      // No dry run: a stored override is itself a change (the engine reads it at once).
      dryRun: false,
      note: r.reason,
      actor: r.actor,
      sourceIp: r.sourceIp,
    });
    return { override, job, approval };
  }

  /**
   * Lifts every active override of this target, then starts their reverts.
   * @throws ApiError NOT_FOUND when none is active.
   */
  async lift(
    clientId: string,
    level: OverrideLevel,
    targetId: string,
    who: Requester,
  ): Promise<{ lifted: OverrideRecord[]; reverts: JobRecord[] }> {
    const now = this.d.clock.now();
    const lifted = await this.d.store.transaction(async (tx) => {
      const repo = new OverrideRepository(tx);
      const active = (await repo.listActive({ clientId }, now)).filter((o) => o.level === level && o.targetId === targetId);
      const out: OverrideRecord[] = [];
      for (const o of active) {
        out.push(await repo.lift(clientId, o.id, who.actor, now));
        await new AuditRepository(tx).append(
          {
            clientId,
            actor: who.actor,
            sourceIp: who.sourceIp,
            action: 'override.lifted',
            target: `override:${o.id}`,
            result: 'success',
            details: { level, targetId },
          },
          now,
        );
      }
      return out;
    });
    if (lifted.length === 0) throw new ApiError('NOT_FOUND', `no active force on-demand for ${level} ${targetId}`);
    const reverts: JobRecord[] = [];
    for (const o of lifted) {
      const job = await this.startRevert(o, 'lifted', who);
      if (job) reverts.push(job);
    }
    return { lifted, reverts };
  }

  /** A null client: every client's (hub staff). */
  listActive(clientId: string | null): Promise<OverrideRecord[]> {
    return new OverrideRepository(this.d.store).listActive({ clientId }, this.d.clock.now());
  }

  /** Handles every override that ended and was not handled yet (the sweeper's tick); returns the reverts started. */
  async sweep(): Promise<JobRecord[]> {
    const now = this.d.clock.now();
    const ended = await new OverrideRevertRepository(this.d.store).endedUnhandled(now);
    const out: JobRecord[] = [];
    for (const o of ended) {
      const how = o.liftedAt !== null && (o.expiresAt === null || o.liftedAt < o.expiresAt) ? 'lifted' : 'expired';
      const job = await this.startRevert(o, how, {
        actor: how === 'lifted' ? (o.liftedBy ?? SWEEPER_ACTOR) : SWEEPER_ACTOR,
        sourceIp: null,
      });
      if (job) out.push(job);
    }
    return out;
  }

  /**
   * Claims the override's end, then starts its revert job. Claim first: two hubs sweeping at
   * once must not start two reverts (each would launch replacements); a hub dying between the
   * claim and the job leaves the nodes on-demand, which the engine's own moves repair.
   */
  private async startRevert(o: OverrideRecord, ended: 'expired' | 'lifted', who: Requester): Promise<JobRecord | null> {
    const repo = new OverrideRevertRepository(this.d.store);
    const now = this.d.clock.now();
    if (!(await repo.claim(o.id, ended, null, now))) return null;
    const why = `override ${o.id} (${o.level} ${o.targetId}) ${ended}`;
    const { job } = await this.d.jobs.submit({
      clientId: o.clientId,
      kind: REVERT_TO_SPOT_KIND,
      params: { forcedBy: o.id, why, maxParallel: this.d.revertParallel },
      dryRun: false,
      note: why,
      actor: who.actor,
      sourceIp: who.sourceIp,
    });
    await this.d.store.query('UPDATE override_revert SET job_id = $2 WHERE override_id = $1', [o.id, job.id]);
    await new AuditRepository(this.d.store).append(
      {
        clientId: o.clientId,
        actor: who.actor,
        sourceIp: who.sourceIp,
        // The lift itself is already recorded (with who lifted it); an expiry is recorded here.
        action: ended === 'expired' ? 'override.expired' : 'override.revert-started',
        target: `override:${o.id}`,
        result: 'success',
        details: { revertJobId: job.id },
      },
      now,
    );
    return job;
  }

  /**
   * The client a cluster or instance belongs to, for hub staff who name it without a client:
   * the instance's tenant tag, else the one client that registered its cluster; null when
   * unknown or ambiguous (two clients with the same cluster id).
   */
  async ownerOf(level: 'cluster' | 'instance', id: string): Promise<string | null> {
    let cluster = id;
    if (level === 'instance') {
      const instance = (await this.d.cloud.describeInstances({ ids: [id] }))[0];
      const tenant = instance?.tags[TAG_KEYS.tenant];
      if (tenant) return tenant;
      const tagged = instance?.tags[TAG_KEYS.cluster];
      if (!tagged) return null;
      cluster = tagged;
    }
    const { rows } = await this.d.store.query<{ client_id: string }>('SELECT client_id FROM clusters WHERE id = $1 LIMIT 2', [cluster]);
    return rows.length === 1 ? (rows[0]?.client_id ?? null) : null;
  }

  private async resolve(clientId: string, level: OverrideLevel, id: string): Promise<OverrideTarget> {
    if (level === 'client') {
      if (!(await new TenantRepository(this.d.store).getClient(id))) throw new ApiError('NOT_FOUND', `no client ${id}`);
      return { level: 'client' };
    }
    if (level === 'cluster') {
      const clusters = await new TenantRepository(this.d.store).listClusters(clientId);
      if (!clusters.some((c) => c.id === id)) throw new ApiError('NOT_FOUND', `no cluster ${id}`);
      return { level: 'cluster', clusterId: id };
    }
    const instance = (await this.d.cloud.describeInstances({ ids: [id] }))[0];
    const cluster = instance?.tags[TAG_KEYS.cluster];
    const tenant = instance?.tags[TAG_KEYS.tenant];
    if (!instance || !cluster || (tenant !== undefined && tenant !== clientId) || instance.state === 'terminated')
      throw new ApiError('NOT_FOUND', `no instance ${id} in a cluster of this client`);
    const clusters = await new TenantRepository(this.d.store).listClusters(clientId);
    if (!clusters.some((c) => c.id === cluster))
      throw new ApiError('NOT_FOUND', `instance ${id} is in cluster ${cluster}, which this client has not registered`);
    return { level: 'instance', clusterId: cluster, instanceId: id };
  }
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badParameter } from '../../errors/api-error.ts';
import { type ActorOf, sourceIpOf } from '../../governance/actor.ts';
import { answering } from '../../jobs/job-api-errors.ts';
import type { JobService } from '../../jobs/job-service.ts';
import { approvalView, iso, jobView } from '../../jobs/job-views.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import { STORAGE_CLEANUP_KIND } from '../../storage-cleanup/cleanup-job-kind.ts';
import { MAX_CLEANUP_ITEMS, SNAPSHOT_ID, VOLUME_ID } from '../../storage-cleanup/cleanup-params.ts';
import { type CleanupPlan, planCleanup } from '../../storage-cleanup/cleanup-plan.ts';
import { matchesStorageFilter, type StorageFilter, totals } from '../../storage-cleanup/storage-filters.ts';
import type { SnapshotFinding, StorageInventory, VolumeFinding } from '../../storage-cleanup/storage-inventory.ts';
import { strictValidator } from '../strict-body.ts';

export interface StorageRouteDeps {
  inventory: StorageInventory;
  jobs: JobService;
  tenantOf: (request: FastifyRequest) => string;
  actorOf: ActorOf;
}

const filterProperties = {
  minAgeDays: { type: 'integer', minimum: 0, maximum: 36_500 },
  minSizeGib: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  maxSizeGib: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  tag: { type: 'array', maxItems: 20, items: { type: 'string', pattern: '^[^=]{1,128}(=.{0,256})?$' } },
} as const;

const query = (statuses: string[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { status: { type: 'string', enum: statuses }, ...filterProperties },
  }) as const;

type Query = Omit<StorageFilter, 'tags' | 'status'> & { status?: StorageFilter['status']; tag?: string[] };

const volumeView = (v: VolumeFinding) => ({ ...v, createdAt: iso(v.createdAt) });
const snapshotView = (s: SnapshotFinding) => ({ ...s, startedAt: iso(s.startedAt) });
const planView = (p: CleanupPlan) => ({ ...p, volumes: p.volumes.map(volumeView), snapshots: p.snapshots.map(snapshotView) });

const ID_LISTS = {
  volumeIds: { pattern: VOLUME_ID, hint: 'a volume id (vol-…)', max: MAX_CLEANUP_ITEMS },
  snapshotIds: { pattern: SNAPSHOT_ID, hint: 'a snapshot id (snap-…)', max: MAX_CLEANUP_ITEMS },
};

const idList = (pattern: RegExp) =>
  ({ type: 'array', maxItems: MAX_CLEANUP_ITEMS, items: { type: 'string', pattern: pattern.source } }) as const;
/** What a dry run takes; the handler's BodyReader adds the rules a schema cannot say clearly. */
const DRY_RUN_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: { volumeIds: idList(VOLUME_ID), snapshotIds: idList(SNAPSHOT_ID), snapshotBeforeDelete: { type: 'boolean' } },
} as const;
/** `confirm: true` and a note are required unless `dryRun` (checked by the handler, naming the field). */
const CLEANUP_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...DRY_RUN_BODY.properties,
    confirm: { type: 'boolean' },
    note: { type: 'string', maxLength: 2000 },
    dryRun: { type: 'boolean' },
  },
} as const;

/**
 * Storage cleanup: unattached EBS volumes and snapshots no AMI uses, with age, size and
 * monthly cost; a dry run that says exactly what a cleanup would delete and save; and the
 * cleanup itself, a job that needs `confirm: true` and a note (and an approval where the
 * policy asks). Named resources that are attached or used by an image are refused (409,
 * naming each) and nothing is deleted.
 */
export function registerStorageRoutes(app: FastifyInstance, deps: StorageRouteDeps): void {
  app.get('/api/v1/storage/volumes', { schema: { querystring: query(['unattached', 'attached', 'all']) } }, async (request) => {
    const q = request.query as Query;
    const filter = filterOf(q, 'unattached');
    const volumes = (await deps.inventory.volumes()).filter((v) => matchesStorageFilter(v, filter));
    return { volumes: volumes.map(volumeView), totals: totals(volumes), prices: deps.inventory.prices };
  });

  app.get('/api/v1/storage/snapshots', { schema: { querystring: query(['unreferenced', 'referenced', 'all']) } }, async (request) => {
    const q = request.query as Query;
    const filter = filterOf(q, 'unreferenced');
    const snapshots = (await deps.inventory.snapshots()).filter((s) => matchesStorageFilter(s, filter));
    return { snapshots: snapshots.map(snapshotView), totals: totals(snapshots), prices: deps.inventory.prices };
  });

  // Lists absent: every deletable volume (snapshot); so an empty body previews a full cleanup.
  app.post('/api/v1/storage/dry-run', { schema: { body: DRY_RUN_BODY }, validatorCompiler: strictValidator }, async (request, reply) => {
    const body = BodyReader.of(request.body, ['volumeIds', 'snapshotIds', 'snapshotBeforeDelete']);
    const selection = {
      volumeIds: body.ids('volumeIds', ID_LISTS.volumeIds),
      snapshotIds: body.ids('snapshotIds', ID_LISTS.snapshotIds),
      snapshotBeforeDelete: body.boolean('snapshotBeforeDelete') ?? false,
    };
    return answering(reply, async () => ({ ...planView(await planCleanup(deps.inventory, selection)), prices: deps.inventory.prices }));
  });

  app.post('/api/v1/storage/cleanup', { schema: { body: CLEANUP_BODY }, validatorCompiler: strictValidator }, async (request, reply) => {
    const actor = deps.actorOf(request);
    const body = BodyReader.of(request.body, ['volumeIds', 'snapshotIds', 'snapshotBeforeDelete', 'confirm', 'note', 'dryRun']);
    const volumeIds = body.ids('volumeIds', ID_LISTS.volumeIds) ?? [];
    const snapshotIds = body.ids('snapshotIds', ID_LISTS.snapshotIds) ?? [];
    const snapshotBeforeDelete = body.boolean('snapshotBeforeDelete') ?? false;
    const dryRun = body.boolean('dryRun') ?? false;
    const confirm = body.boolean('confirm');
    const note = body.string('note', { max: 2000 })?.trim() ?? '';
    if (volumeIds.length + snapshotIds.length === 0) {
      throw badParameter('volumeIds', 'name the volumes or snapshots to delete (POST /api/v1/storage/dry-run lists the candidates)');
    }
    if (volumeIds.length + snapshotIds.length > MAX_CLEANUP_ITEMS)
      throw badParameter('volumeIds', `at most ${MAX_CLEANUP_ITEMS} per cleanup`);
    if (!dryRun && confirm !== true) throw badParameter('confirm', 'must be true: deleting storage cannot be undone');
    if (!dryRun && note === '') throw badParameter('note', 'is required: say why, for the audit log');
    return answering(reply, async () => {
      const plan = await planCleanup(deps.inventory, { volumeIds, snapshotIds, snapshotBeforeDelete });
      const { job, approval } = await deps.jobs.submit({
        clientId: deps.tenantOf(request),
        kind: STORAGE_CLEANUP_KIND,
        params: { volumeIds, snapshotIds, snapshotBeforeDelete },
        dryRun,
        note,
        actor,
        sourceIp: sourceIpOf(request),
      });
      return reply.code(202).send({ job: jobView(job), approval: approval ? approvalView(approval) : null, plan: planView(plan) });
    });
  });
}

function filterOf(q: Query, status: StorageFilter['status']): StorageFilter {
  if (q.minSizeGib !== undefined && q.maxSizeGib !== undefined && q.minSizeGib > q.maxSizeGib) {
    throw badParameter('minSizeGib', 'must not be above maxSizeGib');
  }
  const { tag, ...rest } = q;
  return { ...rest, status: q.status ?? status, ...(tag ? { tags: tag } : {}) };
}

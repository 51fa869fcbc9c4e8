import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badParameter } from '../../errors/api-error.ts';
import { type ActorOf, sourceIpOf } from '../../governance/actor.ts';
import { GOVERNANCE_ACTIONS, GOVERNANCE_KIND, INSTANCE_ID, MAX_GOVERNANCE_ITEMS } from '../../governance/governance-job-kind.ts';
import type { InstanceFinding, UnregisteredInstances } from '../../governance/unregistered-instances.ts';
import { answering } from '../../jobs/job-api-errors.ts';
import type { JobService } from '../../jobs/job-service.ts';
import { approvalView, iso, jobView } from '../../jobs/job-views.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import { strictValidator } from '../strict-body.ts';

export interface GovernanceRouteDeps {
  unregistered: UnregisteredInstances;
  jobs: JobService;
  tenantOf: (request: FastifyRequest) => string;
  actorOf: ActorOf;
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { includeIgnored: { type: 'boolean', default: false } },
} as const;

const view = (f: InstanceFinding) => ({ ...f, launchedAt: iso(f.launchedAt) });

function sum(xs: Array<number | null>): number {
  return Math.round(xs.reduce<number>((s, x) => s + (x ?? 0), 0) * 100) / 100;
}

/**
 * Governance: instances in the account that no Ballast cluster registered, with age and
 * cost, and a job that terminates them or tags them as ignored. Nodes of a known cluster
 * are refused (409, naming each) and nothing is done.
 */
/** `confirm: true` and a note are required to terminate unless `dryRun` (checked by the handler, naming the field). */
const APPLY_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceIds', 'action'],
  properties: {
    instanceIds: { type: 'array', minItems: 1, maxItems: MAX_GOVERNANCE_ITEMS, items: { type: 'string', pattern: INSTANCE_ID.source } },
    action: { type: 'string', enum: [...GOVERNANCE_ACTIONS] },
    note: { type: 'string', maxLength: 2000 },
    confirm: { type: 'boolean' },
    dryRun: { type: 'boolean' },
  },
} as const;

export function registerGovernanceRoutes(app: FastifyInstance, deps: GovernanceRouteDeps): void {
  app.get('/api/v1/governance/instances', { schema: { querystring: listQuery } }, async (request) => {
    const { includeIgnored } = request.query as { includeIgnored?: boolean };
    const instances = await deps.unregistered.scan({ includeIgnored: includeIgnored ?? false });
    return {
      instances: instances.map(view),
      totals: {
        count: instances.length,
        hourlyCostUsd: sum(instances.map((i) => i.hourlyCostUsd)),
        monthlyCostUsd: sum(instances.map((i) => i.monthlyCostUsd)),
        unpriced: instances.filter((i) => i.hourlyCostUsd === null).length,
      },
    };
  });

  app.post(
    '/api/v1/governance/instances/apply',
    { schema: { body: APPLY_BODY }, validatorCompiler: strictValidator },
    async (request, reply) => {
      const actor = deps.actorOf(request);
      const body = BodyReader.of(request.body, ['instanceIds', 'action', 'note', 'confirm', 'dryRun']);
      const instanceIds = body.ids('instanceIds', {
        required: true,
        min: 1,
        max: MAX_GOVERNANCE_ITEMS,
        pattern: INSTANCE_ID,
        hint: 'an instance id (i-…)',
      }) as string[];
      const action = body.oneOf('action', GOVERNANCE_ACTIONS, { required: true }) as (typeof GOVERNANCE_ACTIONS)[number];
      const note = body.string('note', { max: 2000 })?.trim() ?? '';
      const confirm = body.boolean('confirm');
      const dryRun = body.boolean('dryRun') ?? false;
      if (action === 'terminate' && !dryRun) {
        if (confirm !== true) throw badParameter('confirm', 'must be true: terminating instances cannot be undone');
        if (note === '') throw badParameter('note', 'is required to terminate: say why, for the audit log');
      }
      return answering(reply, async () => {
        const instances = await deps.unregistered.check(instanceIds, 'instanceIds');
        const { job, approval } = await deps.jobs.submit({
          clientId: deps.tenantOf(request),
          kind: GOVERNANCE_KIND,
          params: { instanceIds, action },
          dryRun,
          note,
          actor,
          sourceIp: sourceIpOf(request),
        });
        return reply
          .code(202)
          .send({ job: jobView(job), approval: approval ? approvalView(approval) : null, instances: instances.map(view) });
      });
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { badParameter } from '../../errors/api-error.ts';
import { type ActorOf, sourceIpOf } from '../../governance/actor.ts';
import { answering } from '../../jobs/job-api-errors.ts';
import { approvalView, iso, jobView } from '../../jobs/job-views.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import type { KillSwitchService } from '../../overrides/kill-switch-service.ts';
import { MAX_PARALLEL_LIMIT } from '../../overrides/move-kinds.ts';
import { strictValidator } from '../strict-body.ts';

export interface KillSwitchRouteDeps {
  killSwitch: KillSwitchService;
  actorOf: ActorOf;
  /** Nodes moved at once when the request names no `max_parallel`. Default 2. */
  defaultParallel?: number;
}

/** What an admin types to disable spot everywhere: a deliberate phrase, not a checkbox. */
export const KILL_SWITCH_PHRASE = 'disable spot';

export const KILL_SWITCH_BODY_SCHEMA = {
  type: 'object',
  required: ['enabled'],
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', description: 'true: disable spot platform-wide; false: allow it again' },
    confirm: { type: 'string', const: KILL_SWITCH_PHRASE },
    note: { type: 'string', maxLength: 2000 },
    max_parallel: { type: 'integer', minimum: 1, maximum: MAX_PARALLEL_LIMIT },
    dryRun: { type: 'boolean' },
  },
} as const;

/**
 * The platform kill switch. POST {enabled: true, confirm: "disable spot"} starts the job
 * that disables spot and moves every client's spot nodes to on-demand (waiting for
 * approval when the policy lists `kill-switch`); {enabled: false} allows spot again.
 */
export function registerKillSwitchRoutes(app: FastifyInstance, deps: KillSwitchRouteDeps): void {
  app.get(
    '/api/v1/admin/kill-switch',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } } },
    async () => {
      const s = await deps.killSwitch.state();
      return {
        spotDisabled: s?.enabled ?? false,
        changedBy: s?.changedBy ?? null,
        changedAt: iso(s?.changedAt ?? null),
        jobId: s?.jobId ?? null,
      };
    },
  );

  app.post(
    '/api/v1/admin/kill-switch',
    { schema: { body: KILL_SWITCH_BODY_SCHEMA }, validatorCompiler: strictValidator },
    async (request, reply) => {
      const actor = deps.actorOf(request);
      const body = BodyReader.of(request.body, Object.keys(KILL_SWITCH_BODY_SCHEMA.properties));
      const enabled = body.boolean('enabled', { required: true }) as boolean;
      const confirm = body.string('confirm', { max: 100 });
      const note = body.string('note', { max: 2000 })?.trim() ?? '';
      const maxParallel = body.integer('max_parallel', { min: 1, max: MAX_PARALLEL_LIMIT }) ?? deps.defaultParallel ?? 2;
      const dryRun = body.boolean('dryRun') ?? false;
      if (enabled && !dryRun && confirm !== KILL_SWITCH_PHRASE)
        throw badParameter('confirm', `must be "${KILL_SWITCH_PHRASE}": this moves every client's spot nodes to on-demand`);
      if (confirm !== undefined && confirm !== KILL_SWITCH_PHRASE)
        throw badParameter('confirm', `must be "${KILL_SWITCH_PHRASE}" when given`);
      return answering(reply, async () => {
        const { job, approval } = await deps.killSwitch.set({ enabled, maxParallel, note, dryRun, actor, sourceIp: sourceIpOf(request) });
        return reply.code(202).send({ job: jobView(job), approval: approval ? approvalView(approval) : null });
      });
    },
  );
}

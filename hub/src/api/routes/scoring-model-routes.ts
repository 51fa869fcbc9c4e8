import type { FastifyInstance } from 'fastify';
import { object, uuid } from '../../auth/schemas.ts';
import { ApiError } from '../../errors/api-error.ts';
import { BodyReader } from '../../jobs/request-body.ts';
import type { PoolBoard } from '../../pools/pool-board.ts';
import { validateScoringModel } from '../../scoring/model-validation.ts';
import type { ScoringModelRepository, StoredScoringModel } from '../../state/repositories/scoring-model-repository.ts';
import { strictValidator } from '../strict-body.ts';

const idParams = object({ id: uuid }, ['id']);

function view(m: StoredScoringModel) {
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    status: m.status,
    createdAt: new Date(m.createdAt).toISOString(),
    createdBy: m.createdBy,
    promotedAt: m.promotedAt === null ? null : new Date(m.promotedAt).toISOString(),
    model: m.model,
  };
}

/**
 * Scoring models: upload (JSON, validated field by field), list, promote to active, and
 * run one in shadow beside the active one. Every change recomputes the pool board, so the
 * pool table and the shadow comparison show the new model at once.
 */
export function registerScoringModelRoutes(
  app: FastifyInstance,
  deps: { models: ScoringModelRepository; board: PoolBoard; now: () => number; actorOf: (request: unknown) => string },
): void {
  app.get(
    '/api/v1/scoring/models',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } } },
    async () => ({ models: (await deps.models.list()).map(view) }),
  );

  // The body is the model itself; validateScoringModel names the field it refuses (400).
  app.post('/api/v1/scoring/models', { schema: { body: { type: 'object' } } }, async (request, reply) => {
    const model = validateScoringModel(request.body);
    const stored = await deps.models.upload({ model, createdBy: deps.actorOf(request) }, deps.now());
    return reply.code(201).send(view(stored));
  });

  app.get(
    '/api/v1/scoring/models/:id',
    { schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: {} } } },
    async (request) => {
      const { id } = request.params as { id: string };
      const m = await deps.models.get(id);
      if (!m) throw new ApiError('NOT_FOUND', `no scoring model ${id}`, 'id');
      return view(m);
    },
  );

  app.post('/api/v1/scoring/models/:id/promote', { schema: { params: idParams } }, async (request) => {
    const { id } = request.params as { id: string };
    BodyReader.of(request.body, []);
    const m = await deps.models.promote(id, deps.now());
    await deps.board.recompute();
    return view(m);
  });

  app.put(
    '/api/v1/scoring/shadow',
    {
      schema: {
        body: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', format: 'uuid' } } },
      },
      // Not coerced: ["<uuid>"] is not a uuid.
      validatorCompiler: strictValidator,
    },
    async (request) => {
      const m = await deps.models.setShadow((request.body as { id: string }).id);
      await deps.board.recompute();
      return view(m);
    },
  );

  app.delete('/api/v1/scoring/shadow', async (request) => {
    BodyReader.of(request.body, []);
    const m = await deps.models.clearShadow();
    await deps.board.recompute();
    return { cleared: m ? view(m) : null };
  });
}

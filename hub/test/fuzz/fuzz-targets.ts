import { DEFAULT_MODEL } from '../../src/scoring/scoring-model.ts';
import type { BodySchema, FieldSchema } from './body-mutations.ts';

/** Ids the fuzz's fixtures create before the "before" snapshot, so mutations reach an existing object. */
export interface FuzzFixtures {
  /** A client and one of its clusters. */
  clientId: string;
  clusterId: string;
  /** A user other than the fuzzing admin (PATCH /users/:id mutations target it). */
  userId: string;
}

/** A route's path parameter: a known value, a valid-shaped unknown one, and shapes its schema refuses. */
export interface ParamSpec {
  name: string;
  known?: (f: FuzzFixtures) => string;
  unknown: string;
  bad: readonly string[];
}

/**
 * One mutating route under fuzz. `body`: the schema its body is checked against (the route's
 * own when it has one, else the fields its handler reads with BodyReader, written here);
 * absent: the route takes no body. `valid`: a body the schema accepts, which the fuzz never
 * sends as is (it would write), only mutated one field at a time.
 */
export interface FuzzTarget {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  params?: readonly ParamSpec[];
  query?: (f: FuzzFixtures) => string;
  body?: BodySchema;
  valid?: (f: FuzzFixtures) => Record<string, unknown>;
  /** Hand-read bodies the handler also refuses when a rule spans fields: each with the field the 400 names. */
  extraInvalid?: ReadonlyArray<{ payload: (f: FuzzFixtures) => string; field: string }>;
  /**
   * What a valid-shaped unknown id with no body gets: 'refused' (a 4xx, nothing written; the default),
   * 'no-op' (an answer that changes nothing, e.g. lifting a force that is not there), or
   * 'never' sent: any id is a valid target there (a force on an instance that has not
   * reported yet stores the override), so it would be a genuine write.
   */
  unknownId?: 'refused' | 'no-op' | 'never';
}

const UUID_UNKNOWN = '00000000-0000-4000-8000-000000000000';
const BAD_UUIDS = [
  'not-a-uuid',
  '1',
  '00000000-0000-4000-8000-00000000000',
  `${UUID_UNKNOWN}0`,
  "' OR 1=1 --",
  '%00',
  '%F0%9F%9A%80',
  'x'.repeat(2000),
  '1e309',
];
// Not '..': the URL is resolved before routing, so it is another path (a 404), not a bad id.
const BAD_NAMES = ['-leading-dash', '.hidden', 'a%2Fb', '..%2F..', '%20space', '%00', '%C3%BC', "'%20OR%201=1", 'x'.repeat(254)];
const BAD_INSTANCES = ['i-XYZ', 'i-0123', 'i-0123456789abcdef0123', 'vol-01234567', 'I-01234567', '%00', 'x'.repeat(300)];

const id = (known?: (f: FuzzFixtures) => string): ParamSpec => ({ name: 'id', known, unknown: UUID_UNKNOWN, bad: BAD_UUIDS });
const idList = (pattern: string): FieldSchema => ({ type: 'array', maxItems: 500, uniqueItems: true, items: { type: 'string', pattern } });
const VOLUME = '^vol-[0-9a-f]{8}(?:[0-9a-f]{9})?$';
const SNAPSHOT = '^snap-[0-9a-f]{8}(?:[0-9a-f]{9})?$';

const reason = (required: boolean): BodySchema => ({
  type: 'object',
  additionalProperties: false,
  ...(required ? { required: ['reason'] } : {}),
  properties: { reason: { type: 'string', maxLength: 1000 } },
});

export const SCORING_MODEL_BODY: BodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'weights', 'parameters'],
  properties: {
    name: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 1 },
    description: { type: 'string' },
    weights: { type: 'object' },
    parameters: { type: 'object' },
  },
};

/**
 * Every mutating JSON route of the hub (the test checks this list against the routes the
 * hub registers, so a new route without an entry fails it).
 */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { method: 'POST', url: '/api/v1/auth/login', valid: () => ({ username: 'nobody', password: 'wrong password' }) },
  { method: 'POST', url: '/api/v1/auth/logout' },
  {
    method: 'POST',
    url: '/api/v1/auth/signup',
    valid: () => ({ username: 'fuzz-signup', password: 'a long enough password', clientId: 'fuzz-signup', clientName: 'Fuzz' }),
  },
  { method: 'PUT', url: '/api/v1/me', valid: () => ({ name: 'Fuzz Admin' }) },
  {
    method: 'POST',
    url: '/api/v1/users',
    valid: (f) => ({ username: 'fuzz-new-user', password: 'a long enough password', role: 'viewer', clientId: f.clientId }),
  },
  {
    method: 'PATCH',
    url: '/api/v1/users/:id',
    params: [id((f) => f.userId)],
    valid: () => ({ name: 'Renamed', role: 'viewer', disabled: false }),
    unknownId: 'refused',
  },
  { method: 'DELETE', url: '/api/v1/users/:id', params: [id()], unknownId: 'refused' },
  {
    method: 'POST',
    url: '/api/v1/tokens',
    valid: (f) => ({ name: 'fuzz', role: 'viewer', clientId: f.clientId, expiresInDays: 30 }),
  },
  { method: 'DELETE', url: '/api/v1/tokens/:id', params: [id()], unknownId: 'refused' },
  {
    method: 'POST',
    url: '/api/v1/clusters/:id/enrolment-tokens',
    params: [{ name: 'id', known: (f) => f.clusterId, unknown: 'fuzz-unknown-cluster', bad: BAD_NAMES }],
    query: (f) => `client=${f.clientId}`,
    valid: () => ({ name: 'fuzz', expiresInDays: 30 }),
    // A cluster not seen yet is registered on the first token (enrolment before the first agent).
    unknownId: 'never',
  },
  {
    method: 'DELETE',
    url: '/api/v1/clusters/:id/enrolment-tokens/:tokenId',
    params: [
      { name: 'id', known: (f) => f.clusterId, unknown: 'fuzz-unknown-cluster', bad: BAD_NAMES },
      { name: 'tokenId', unknown: UUID_UNKNOWN, bad: BAD_UUIDS },
    ],
    query: (f) => `client=${f.clientId}`,
    unknownId: 'refused',
  },
  { method: 'POST', url: '/api/v1/clients', valid: () => ({ id: 'fuzz-new-client', name: 'Fuzz' }) },
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/cancel',
    params: [id()],
    body: reason(false),
    valid: () => ({ reason: 'why' }),
    unknownId: 'refused',
  },
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/retry',
    params: [id()],
    body: { type: 'object', additionalProperties: false, properties: {} },
    valid: () => ({}),
    unknownId: 'refused',
  },
  {
    method: 'POST',
    url: '/api/v1/storage/dry-run',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { volumeIds: idList(VOLUME), snapshotIds: idList(SNAPSHOT), snapshotBeforeDelete: { type: 'boolean' } },
    },
    valid: () => ({ volumeIds: ['vol-0123456789abcdef0'], snapshotIds: ['snap-01234567'], snapshotBeforeDelete: true }),
  },
  {
    method: 'POST',
    url: '/api/v1/storage/cleanup',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['volumeIds', 'confirm', 'note'],
      properties: {
        volumeIds: { ...idList(VOLUME), minItems: 1 },
        snapshotIds: idList(SNAPSHOT),
        snapshotBeforeDelete: { type: 'boolean' },
        confirm: { type: 'boolean', const: true },
        note: { type: 'string', maxLength: 2000, minLength: 1 },
        dryRun: { type: 'boolean' },
      },
    },
    valid: () => ({ volumeIds: ['vol-0123456789abcdef0'], confirm: true, note: 'fuzz', dryRun: false }),
    extraInvalid: [
      { payload: () => '{"volumeIds":["vol-0123456789abcdef0"],"confirm":false,"note":"fuzz"}', field: 'confirm' },
      { payload: () => '{"volumeIds":["vol-0123456789abcdef0"],"confirm":true,"note":"   "}', field: 'note' },
      { payload: () => '{"volumeIds":[],"snapshotIds":[],"confirm":true,"note":"fuzz"}', field: 'volumeIds' },
    ],
  },
  {
    method: 'POST',
    url: '/api/v1/governance/instances/apply',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['instanceIds', 'action', 'confirm', 'note'],
      properties: {
        instanceIds: { ...idList('^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$'), minItems: 1 },
        action: { type: 'string', enum: ['terminate', 'tag-as-ignored'] },
        note: { type: 'string', maxLength: 2000, minLength: 1 },
        confirm: { type: 'boolean', const: true },
        dryRun: { type: 'boolean' },
      },
    },
    valid: () => ({ instanceIds: ['i-0123456789abcdef0'], action: 'terminate', note: 'fuzz', confirm: true }),
    extraInvalid: [
      { payload: () => '{"instanceIds":["i-0123456789abcdef0"],"action":"terminate","confirm":true,"note":" "}', field: 'note' },
    ],
  },
  ...(['approve', 'reject'] as const).map(
    (d): FuzzTarget => ({
      method: 'POST',
      url: `/api/v1/approvals/:id/${d}`,
      params: [id()],
      body: { ...reason(true), properties: { reason: { type: 'string', maxLength: 1000, minLength: 1 } } },
      valid: () => ({ reason: 'fuzz' }),
      extraInvalid: [{ payload: () => '{"reason":"   "}', field: 'reason' }],
      unknownId: 'refused',
    }),
  ),
  ...(
    [
      ['instances', { name: 'id', known: () => 'i-0123456789abcdef0', unknown: 'i-0fedcba987654321f', bad: BAD_INSTANCES }],
      ['clusters', { name: 'id', known: (f: FuzzFixtures) => f.clusterId, unknown: 'fuzz-unknown-cluster', bad: BAD_NAMES }],
      ['clients', { name: 'id', known: (f: FuzzFixtures) => f.clientId, unknown: 'fuzz-unknown-client', bad: BAD_NAMES }],
    ] as const
  ).flatMap(([level, param]): FuzzTarget[] => [
    // Any id is a valid target of a force (an instance may not have reported yet): only invalid bodies go here.
    {
      method: 'POST',
      url: `/api/v1/${level}/:id/force-on-demand`,
      params: [param],
      valid: () => ({ duration_hours: 2, reason: 'fuzz', max_parallel: 2 }),
      unknownId: 'never',
    },
    // Lifting what is not forced lifts nothing and writes nothing.
    { method: 'DELETE', url: `/api/v1/${level}/:id/force-on-demand`, params: [param], unknownId: 'no-op' },
  ]),
  {
    method: 'POST',
    url: '/api/v1/admin/kill-switch',
    valid: () => ({ enabled: true, confirm: 'disable spot', note: 'fuzz', max_parallel: 2, dryRun: false }),
  },
  { method: 'POST', url: '/api/v1/admin/recompute-risk' },
  {
    method: 'POST',
    url: '/api/v1/scoring/models',
    body: SCORING_MODEL_BODY,
    valid: () => structuredClone(DEFAULT_MODEL) as unknown as Record<string, unknown>,
  },
  { method: 'POST', url: '/api/v1/scoring/models/:id/promote', params: [id()], unknownId: 'refused' },
  { method: 'PUT', url: '/api/v1/scoring/shadow', valid: () => ({ id: UUID_UNKNOWN }) },
  { method: 'DELETE', url: '/api/v1/scoring/shadow' },
];

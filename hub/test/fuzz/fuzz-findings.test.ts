import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, type ErrorBody, ensureClient, makeUser, signedIn } from '../auth-fixtures.ts';
import { type HubHarness, hubHarness } from '../hub-harness.ts';
import { tableDigests } from './table-digest.ts';

/**
 * One regression test per thing the API fuzz (api-fuzz.test.ts) found, each on the hub as
 * main wires it: the request that got through (or got the wrong answer) and what it must
 * get now, with nothing written.
 */
let h: HubHarness;
let admin: Caller;
const UUID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await hubHarness();
  await ensureClient(h.store, 'acme', ['prod']);
  admin = await signedIn(h, await makeUser(h.store, { role: 'admin', clientId: null }));
});
afterAll(() => h?.close());

async function send(method: string, url: string, payload?: string, contentType = 'application/json', caller = admin) {
  const res = await h.app.inject({
    method: method as 'POST',
    url,
    headers: { ...caller.headers, ...(payload === undefined ? {} : { 'content-type': contentType }) },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: (res.body ? res.json() : undefined) as ErrorBody | undefined };
}

/** Sends each request and checks it got a 400 naming `parameter`, with no table changed. */
async function refusedWithoutWrites(cases: ReadonlyArray<[string, string, string | undefined, string]>): Promise<void> {
  const before = await tableDigests(h.store);
  const answers = [];
  for (const [method, url, payload] of cases) {
    const r = await send(method, url, payload);
    answers.push([r.status, r.body?.error.code, r.body?.error.parameter]);
  }
  expect(answers).toEqual(cases.map(([, , , parameter]) => [400, 'BAD_PARAMETER', parameter]));
  expect(await tableDigests(h.store)).toEqual(before);
}

describe('the fuzz\'s "nothing written" check', () => {
  it('sees an UPDATE that changes no row count, as well as an INSERT', async () => {
    const before = await tableDigests(h.store);
    await h.store.query("UPDATE clients SET name = 'Renamed' WHERE id = 'acme'");
    const renamed = await tableDigests(h.store);
    expect(renamed.clients?.rows).toBe(before.clients?.rows);
    expect(renamed.clients?.digest).not.toBe(before.clients?.digest);
    await ensureClient(h.store, 'digest-check');
    expect((await tableDigests(h.store)).clients?.rows).toBe((before.clients?.rows ?? 0) + 1);
  });
});

describe('what the API fuzz found', () => {
  it('refuses wrong JSON types on the account routes instead of coercing them (123 stored as "123", "true" as true)', async () => {
    const user = await makeUser(h.store, { role: 'viewer', clientId: 'acme' });
    await refusedWithoutWrites([
      ['POST', '/api/v1/clients', '{"id":123,"name":"Numeric"}', 'id'],
      ['POST', '/api/v1/clients', '{"id":"ok-id","name":["One"]}', 'name'],
      ['PUT', '/api/v1/me', '{"name":5}', 'name'],
      ['PUT', '/api/v1/me', '{"currentPassword":5}', 'currentPassword'],
      ['POST', '/api/v1/users', '{"username":12345,"password":"a long enough password","role":"viewer"}', 'username'],
      ['PATCH', `/api/v1/users/${user.id}`, '{"disabled":"true"}', 'disabled'],
      ['PATCH', `/api/v1/users/${user.id}`, '{"role":["viewer"]}', 'role'],
      ['POST', '/api/v1/tokens', '{"name":"t","expiresInDays":"30"}', 'expiresInDays'],
      ['POST', '/api/v1/clusters/prod/enrolment-tokens?client=acme', '{"name":7}', 'name'],
      ['POST', '/api/v1/auth/login', '{"username":["nobody"],"password":"x"}', 'username'],
      ['POST', '/api/v1/auth/signup', '{"username":1,"password":"a long enough password","clientId":"x","clientName":"X"}', 'username'],
      ['PUT', '/api/v1/scoring/shadow', `{"id":["${UUID}"]}`, 'id'],
    ]);
  });

  it("refuses a body on routes that take none (a stray body signed the caller out), and still takes the console's {}", async () => {
    await refusedWithoutWrites([
      ['POST', '/api/v1/auth/logout', '{"everywhere":true}', 'everywhere'],
      ['POST', '/api/v1/auth/logout', 'hello', 'body'],
      ['POST', '/api/v1/admin/recompute-risk', '[1]', 'body'],
      ['POST', `/api/v1/scoring/models/${UUID}/promote`, '{"force":true}', 'force'],
      ['DELETE', '/api/v1/scoring/shadow', '{"id":1}', 'id'],
      ['DELETE', '/api/v1/clusters/prod/force-on-demand', '"now"', 'body'],
    ]);
    // Still signed in after the refused logouts; the console's empty object logs out.
    expect((await send('GET', '/api/v1/me')).status).toBe(200);
    const other = await signedIn(h, await makeUser(h.store, { role: 'viewer', clientId: null }));
    expect((await send('POST', '/api/v1/auth/logout', '{}', 'application/json', other)).status).toBe(204);
    expect((await send('GET', '/api/v1/me', undefined, undefined, other)).status).toBe(401);
  });

  it('answers what the body parser refuses with a registry code of that status, naming the body or its content type', async () => {
    const cases: Array<[string | undefined, string, number, string, string]> = [
      ['application/json', '{"name":', 400, 'BAD_PARAMETER', 'body'],
      ['application/json', '{"__proto__":{"admin":true}}', 400, 'BAD_PARAMETER', 'body'],
      ['application/xml', '<a/>', 415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type'],
      ['application/json', `{"name":"${'x'.repeat(1_100_000)}"}`, 413, 'PAYLOAD_TOO_LARGE', 'body'],
    ];
    for (const [type, payload, status, code, parameter] of cases) {
      const r = await send('POST', '/api/v1/tokens', payload, type);
      expect([r.status, r.body?.error.code, r.body?.error.parameter]).toEqual([status, code, parameter]);
    }
    const empty = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...admin.headers, 'content-type': 'application/json' },
    });
    expect([empty.statusCode, empty.json().error.parameter]).toEqual([400, 'body']);
  });

  it('names an unknown field even when its name is the empty string', async () => {
    await refusedWithoutWrites([
      ['POST', '/api/v1/jobs/00000000-0000-4000-8000-000000000000/cancel', '{"":1}', ''],
      ['POST', '/api/v1/instances/i-0123456789abcdef0/force-on-demand', '{"":1}', ''],
    ]);
  });
});

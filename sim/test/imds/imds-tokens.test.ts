import { afterEach, describe, expect, it } from 'vitest';
import { type ImdsServer, startImdsServer } from '../../src/imds/index.ts';
import { get, newFleet, putToken, SPOT } from './imds-test-helpers.ts';

describe('IMDSv2 session tokens', () => {
  let server: ImdsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(requireV2: boolean) {
    const { clock, fleet } = newFleet();
    const instance = fleet.launch(SPOT);
    server = await startImdsServer({ instance: () => fleet.get(instance.id), clock, requireV2 });
    return { clock, url: server.url, instance };
  }

  it('issues a token with the TTL echoed, and a GET with it works', async () => {
    const { url, instance } = await start(true);
    const token = await putToken(url, '21600');
    expect(token.status).toBe(200);
    expect(token.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toBe('21600');
    expect(token.body.length).toBeGreaterThan(20);
    const id = await get(url, '/latest/meta-data/instance-id', token.body);
    expect(id).toMatchObject({ status: 200, body: instance.id });
    expect(server?.stats.tokensIssued).toBe(1);
  });

  it('answers 401 to a GET without a token when v2 is required', async () => {
    const { url } = await start(true);
    const reply = await get(url, '/latest/meta-data/instance-id');
    expect(reply.status).toBe(401);
    expect(reply.body).toContain('401 - Unauthorized');
  });

  it('serves a GET without a token when v1 is allowed, but still refuses an unknown token', async () => {
    const { url, instance } = await start(false);
    expect(await get(url, '/latest/meta-data/instance-id')).toMatchObject({ status: 200, body: instance.id });
    expect((await get(url, '/latest/meta-data/instance-id', 'not-a-token')).status).toBe(401);
  });

  it.each([
    ['missing', undefined],
    ['zero', '0'],
    ['above 21600', '21601'],
    ['not a number', 'six hours'],
    ['fractional', '1.5'],
    ['negative', '-5'],
  ])('answers 400 to a TTL that is %s', async (_label, ttl) => {
    const { url } = await start(true);
    expect((await putToken(url, ttl)).status).toBe(400);
  });

  it('accepts the TTL bounds 1 and 21600', async () => {
    const { url } = await start(true);
    expect((await putToken(url, '1')).status).toBe(200);
    expect((await putToken(url, '21600')).status).toBe(200);
  });

  it('expires a token on the injected clock, not the wall clock', async () => {
    const { url, clock } = await start(true);
    const token = (await putToken(url, '60')).body;
    await clock.advance(59_999);
    expect((await get(url, '/latest/meta-data/instance-id', token)).status).toBe(200);
    await clock.advance(1);
    expect((await get(url, '/latest/meta-data/instance-id', token)).status).toBe(401);
    // An expired token is refused even where v1 would be allowed without one.
    const fresh = (await putToken(url, '60')).body;
    expect((await get(url, '/latest/meta-data/instance-id', fresh)).status).toBe(200);
  });

  it('refuses a token request that carries X-Forwarded-For (403)', async () => {
    const { url } = await start(true);
    expect((await putToken(url, '60', { 'X-Forwarded-For': '203.0.113.9' })).status).toBe(403);
    expect(server?.stats.tokensIssued).toBe(0);
  });

  it('answers 405 to a GET of the token path and to a PUT of a metadata path', async () => {
    const { url } = await start(false);
    expect((await get(url, '/latest/api/token')).status).toBe(405);
    const put = await fetch(`${url}/latest/meta-data/instance-id`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });
});

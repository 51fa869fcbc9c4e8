import { afterEach, describe, expect, it } from 'vitest';
import type { Fleet } from '../../src/core/fleet.ts';
import type { ManualClock } from '../../src/core/sim-clock.ts';
import { GARBAGE_BODY, type ImdsServer, startImdsServer } from '../../src/imds/index.ts';
import { get, newFleet, putToken, SPOT } from './imds-test-helpers.ts';

let server: ImdsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function running(): Promise<{ clock: ManualClock; fleet: Fleet; id: string; imds: ImdsServer }> {
  const { clock, fleet } = newFleet();
  const { id } = fleet.launch(SPOT);
  await clock.advance(1000);
  server = await startImdsServer({ instance: () => fleet.get(id), clock, requireV2: false });
  return { clock, fleet, id, imds: server };
}

/** Sets faults the way an agent test in another process would: over HTTP. */
async function control(url: string, method: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/_sim/faults`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('fault injection', () => {
  it('status500: true fails every /latest request, token PUTs included', async () => {
    const { imds } = await running();
    imds.faults = { status500: true };
    expect((await putToken(imds.url, '60')).status).toBe(500);
    expect((await get(imds.url, '/latest/meta-data/instance-id')).status).toBe(500);
    expect(imds.stats.faultsInjected).toBe(2);
  });

  it('status500 with a path substring fails only matching paths', async () => {
    const { id, imds } = await running();
    imds.faults = { status500: 'spot/' };
    expect((await get(imds.url, '/latest/meta-data/spot/instance-action')).status).toBe(500);
    expect(await get(imds.url, '/latest/meta-data/instance-id')).toMatchObject({ status: 200, body: id });
  });

  it('garbageBody answers matching paths with a 200 that is not JSON, notice or not', async () => {
    const { id, imds } = await running();
    imds.faults = { garbageBody: 'instance-action' };
    const reply = await get(imds.url, '/latest/meta-data/spot/instance-action');
    expect(reply).toMatchObject({ status: 200, body: GARBAGE_BODY });
    expect(() => JSON.parse(reply.body)).toThrow();
    expect((await get(imds.url, '/latest/meta-data/instance-id')).body).toBe(id);
  });

  it('garbageBody does not bypass the token check', async () => {
    const { clock, fleet } = newFleet();
    const { id } = fleet.launch(SPOT);
    server = await startImdsServer({ instance: () => fleet.get(id), clock, requireV2: true });
    server.faults = { garbageBody: 'instance-action' };
    expect((await get(server.url, '/latest/meta-data/spot/instance-action')).status).toBe(401);
  });

  it('delayMs holds answers long enough to trip a client timeout', async () => {
    const { id, imds } = await running();
    imds.faults = { delayMs: 150 };
    const started = Date.now();
    expect((await get(imds.url, '/latest/meta-data/instance-id')).body).toBe(id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(fetch(`${imds.url}/latest/meta-data/instance-id`, { signal: AbortSignal.timeout(30) })).rejects.toThrow();
  });

  it('close() does not wait for delayed answers', async () => {
    const { imds } = await running();
    imds.faults = { delayMs: 60_000 };
    const pending = fetch(`${imds.url}/latest/meta-data/instance-id`).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await imds.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('noticeTimeOverride replaces the time of visible notices only', async () => {
    const { fleet, id, imds } = await running();
    imds.faults = { noticeTimeOverride: '2020-01-01T00:00:00Z' };
    expect((await get(imds.url, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    fleet.interrupt(id);
    fleet.recommendRebalance(id);
    expect(JSON.parse((await get(imds.url, '/latest/meta-data/spot/instance-action')).body)).toEqual({
      action: 'terminate',
      time: '2020-01-01T00:00:00Z',
    });
    expect((await get(imds.url, '/latest/meta-data/spot/termination-time')).body).toBe('2020-01-01T00:00:00Z');
    expect(JSON.parse((await get(imds.url, '/latest/meta-data/events/recommendations/rebalance')).body)).toEqual({
      noticeTime: '2020-01-01T00:00:00Z',
    });
  });

  it('rejects invalid faults set in process', async () => {
    const { imds } = await running();
    expect(() => {
      imds.faults = { delayMs: -1 };
    }).toThrow(/delayMs/);
    expect(imds.faults).toEqual({});
  });
});

describe('control endpoint /_sim/faults', () => {
  it('sets, reads and clears faults over HTTP', async () => {
    const { id, imds } = await running();
    expect(await control(imds.url, 'POST', { status500: 'instance-id', delayMs: 0 })).toEqual({
      status: 200,
      json: { status500: 'instance-id', delayMs: 0 },
    });
    expect((await get(imds.url, '/latest/meta-data/instance-id')).status).toBe(500);
    expect(await control(imds.url, 'GET')).toEqual({ status: 200, json: { status500: 'instance-id', delayMs: 0 } });
    expect(await control(imds.url, 'DELETE')).toEqual({ status: 200, json: {} });
    expect((await get(imds.url, '/latest/meta-data/instance-id')).body).toBe(id);
  });

  it('refuses unknown fault names and bad values with 400, keeping the old faults', async () => {
    const { imds } = await running();
    await control(imds.url, 'POST', { garbageBody: 'rebalance' });
    for (const bad of [{ status500s: true }, { delayMs: 'slow' }, { garbageBody: '' }, [1]]) {
      const reply = await control(imds.url, 'POST', bad);
      expect(reply.status, JSON.stringify(bad)).toBe(400);
      expect(reply.json).toHaveProperty('error');
    }
    const malformed = await fetch(`${imds.url}/_sim/faults`, { method: 'POST', body: '{not json' });
    expect(malformed.status).toBe(400);
    expect(imds.faults).toEqual({ garbageBody: 'rebalance' });
  });

  it('is itself never delayed or failed, and is not under /latest', async () => {
    const { imds } = await running();
    imds.faults = { status500: true, delayMs: 5000 };
    const started = Date.now();
    expect((await control(imds.url, 'GET')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await control(imds.url, 'DELETE')).toEqual({ status: 200, json: {} });
  });

  it('exposes request stats at /_sim/stats', async () => {
    const { imds } = await running();
    await get(imds.url, '/latest/meta-data/spot/instance-action');
    await get(imds.url, '/latest/meta-data/spot/instance-action');
    const stats = await (await fetch(`${imds.url}/_sim/stats`)).json();
    expect(stats).toMatchObject({ requests: 2, byPath: { '/latest/meta-data/spot/instance-action': 2 }, byStatus: { '404': 2 } });
  });
});

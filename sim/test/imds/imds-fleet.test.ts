import { afterEach, describe, expect, it } from 'vitest';
import { ImdsFleet } from '../../src/imds/index.ts';
import { get, newFleet, ON_DEMAND, putToken, SPOT } from './imds-test-helpers.ts';

describe('ImdsFleet', () => {
  let imds: ImdsFleet | undefined;
  afterEach(async () => {
    await imds?.close();
    imds = undefined;
  });

  it('starts a server per launched instance, each answering for its own instance', async () => {
    const { fleet } = newFleet();
    imds = new ImdsFleet(fleet, { requireV2: true });
    const a = fleet.launch(SPOT);
    const b = fleet.launch(ON_DEMAND);
    await imds.ready();
    const urlA = imds.endpointOf(a.id);
    const urlB = imds.endpointOf(b.id);
    if (!urlA || !urlB) throw new Error('endpoints missing');
    expect(urlA).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(urlA).not.toBe(urlB);
    for (const [url, instance] of [
      [urlA, a],
      [urlB, b],
    ] as const) {
      const token = (await putToken(url, '300')).body;
      expect((await get(url, '/latest/meta-data/instance-id', token)).body).toBe(instance.id);
      expect((await get(url, '/latest/meta-data/instance-id')).status).toBe(401); // requireV2 passed through
    }
    expect(imds.instanceIds().sort()).toEqual([a.id, b.id].sort());
  });

  it('stops an instance’s server when the instance is terminated', async () => {
    const { clock, fleet } = newFleet();
    imds = new ImdsFleet(fleet, { requireV2: false });
    const a = fleet.launch(SPOT);
    const b = fleet.launch(SPOT);
    await imds.ready();
    const urlA = imds.endpointOf(a.id) ?? '';
    await clock.advance(1000); // running
    fleet.terminate(a.id, 'test');
    await clock.advance(999);
    expect(imds.endpointOf(a.id)).toBe(urlA); // still shutting down: agents can still read metadata
    await clock.advance(1);
    await imds.ready();
    expect(imds.endpointOf(a.id)).toBeUndefined();
    await expect(fetch(`${urlA}/latest/meta-data/instance-id`)).rejects.toThrow();
    expect((await get(imds.endpointOf(b.id) ?? '', '/latest/meta-data/instance-id')).body).toBe(b.id);
  });

  it('shows the interruption notice through the endpoint, then stops at the action time', async () => {
    const { clock, fleet } = newFleet();
    imds = new ImdsFleet(fleet, { requireV2: false });
    const a = fleet.launch(SPOT);
    await clock.advance(1000);
    await imds.ready();
    const url = imds.endpointOf(a.id) ?? '';
    fleet.interrupt(a.id);
    expect(JSON.parse((await get(url, '/latest/meta-data/spot/instance-action')).body)).toEqual({
      action: 'terminate',
      time: '2026-11-23T03:55:01Z',
    });
    await clock.advance(120_000 + 1000); // action, then shutdown
    await imds.ready();
    expect(imds.endpointOf(a.id)).toBeUndefined();
  });

  it('serves instances that were live before it was created, and not ones terminated', async () => {
    const { clock, fleet } = newFleet();
    const early = fleet.launch(SPOT);
    const gone = fleet.launch(SPOT);
    fleet.terminate(gone.id, 'test');
    await clock.advance(1000);
    imds = new ImdsFleet(fleet, { requireV2: false });
    await imds.ready();
    expect(imds.endpointOf(early.id)).toBeDefined();
    expect(imds.endpointOf(gone.id)).toBeUndefined();
  });

  it('does not leak a server when the instance terminates before its port is bound', async () => {
    const { fleet } = newFleet();
    imds = new ImdsFleet(fleet, { requireV2: false });
    const a = fleet.launch(SPOT);
    // The Fleet only terminates on a clock timer, after listen() has settled; force the race directly.
    a.state = 'terminated';
    fleet.emit('terminated', a);
    await imds.ready();
    expect(imds.endpointOf(a.id)).toBeUndefined();
    expect(imds.instanceIds()).toEqual([]);
  });

  it('close() stops every server and ignores later launches', async () => {
    const { fleet } = newFleet();
    imds = new ImdsFleet(fleet, { requireV2: false });
    const a = fleet.launch(SPOT);
    await imds.ready();
    const url = imds.endpointOf(a.id) ?? '';
    await imds.close();
    await expect(fetch(`${url}/latest/meta-data/instance-id`)).rejects.toThrow();
    const b = fleet.launch(SPOT);
    await imds.ready();
    expect(imds.endpointOf(b.id)).toBeUndefined();
    await imds.close(); // idempotent
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Fleet } from '../../src/core/fleet.ts';
import type { ManualClock } from '../../src/core/sim-clock.ts';
import { type ImdsServer, startImdsServer } from '../../src/imds/index.ts';
import { get, newFleet, ON_DEMAND, SPOT, T0 } from './imds-test-helpers.ts';

let server: ImdsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A running instance (boot finished) with its own server; v1 allowed so reads stay short. */
async function running(spec = SPOT): Promise<{ clock: ManualClock; fleet: Fleet; id: string; url: string }> {
  const { clock, fleet } = newFleet();
  const { id } = fleet.launch(spec);
  await clock.advance(1000);
  server = await startImdsServer({ instance: () => fleet.get(id), clock, requireV2: false });
  return { clock, fleet, id, url: server.url };
}

async function body(url: string, path: string): Promise<string> {
  const reply = await get(url, path);
  expect(reply.status, path).toBe(200);
  return reply.body;
}

describe('instance metadata values', () => {
  it.each([
    [
      'spot',
      SPOT,
      {
        'instance-type': 'm7g.large',
        'placement/availability-zone': 'us-east-1a',
        'placement/region': 'us-east-1',
        'instance-life-cycle': 'spot',
        'ami-id': 'ami-0abc1234',
      },
    ],
    [
      'on-demand',
      ON_DEMAND,
      {
        'instance-type': 'm6i.xlarge',
        'placement/availability-zone': 'eu-west-1b',
        'placement/region': 'eu-west-1',
        'instance-life-cycle': 'on-demand',
        'ami-id': 'ami-0def5678',
      },
    ],
  ] as const)('serves every scalar path for a %s instance', async (_label, spec, expected) => {
    const { fleet, id, url } = await running(spec);
    const instance = fleet.get(id);
    for (const [path, value] of Object.entries(expected)) expect(await body(url, `/latest/meta-data/${path}`)).toBe(value);
    expect(await body(url, '/latest/meta-data/instance-id')).toBe(id);
    expect(await body(url, '/latest/meta-data/local-ipv4')).toBe('10.0.0.1');
    expect(await body(url, '/latest/meta-data/hostname')).toBe(instance?.privateDnsName);
    expect(await body(url, '/latest/meta-data/local-hostname')).toBe('ip-10-0-0-1.ec2.internal');
    expect(await body(url, '/latest/meta-data/events/maintenance/scheduled')).toBe('[]');
  });

  it('serves the instance identity document', async () => {
    const { id, url } = await running(SPOT);
    const doc = JSON.parse(await body(url, '/latest/dynamic/instance-identity/document'));
    expect(doc).toMatchObject({
      accountId: '123456789012',
      architecture: 'arm64',
      availabilityZone: 'us-east-1a',
      imageId: 'ami-0abc1234',
      instanceId: id,
      instanceType: 'm7g.large',
      pendingTime: '2026-11-23T03:53:00Z',
      privateIp: '10.0.0.1',
      region: 'us-east-1',
      version: '2017-09-30',
    });
  });

  it('says x86_64 for an Intel type in the identity document', async () => {
    const { url } = await running(ON_DEMAND);
    expect(JSON.parse(await body(url, '/latest/dynamic/instance-identity/document')).architecture).toBe('x86_64');
  });
});

describe('spot interruption notice', () => {
  it('is 404 before the notice and the action JSON after fleet.interrupt', async () => {
    const { clock, fleet, id, url } = await running(SPOT);
    expect((await get(url, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    expect((await get(url, '/latest/meta-data/spot/termination-time')).status).toBe(404);
    await clock.advance(4000); // notice at 03:53:05 → action at 03:55:05
    fleet.interrupt(id);
    const action = JSON.parse(await body(url, '/latest/meta-data/spot/instance-action'));
    expect(action).toEqual({ action: 'terminate', time: '2026-11-23T03:55:05Z' });
    expect(await body(url, '/latest/meta-data/spot/termination-time')).toBe('2026-11-23T03:55:05Z');
  });

  it('keeps a notice scheduled for later hidden until the clock reaches noticeAtMs', async () => {
    const { clock, fleet, id, url } = await running(SPOT);
    const instance = fleet.get(id);
    if (!instance) throw new Error('no instance');
    instance.interruption = { noticeAtMs: T0 + 60_000, actionAtMs: T0 + 180_000, action: 'stop' };
    expect((await get(url, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    await clock.advance(59_000 - 1000); // now T0 + 59 s
    expect((await get(url, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    await clock.advance(1000);
    expect(JSON.parse(await body(url, '/latest/meta-data/spot/instance-action'))).toEqual({ action: 'stop', time: '2026-11-23T03:56:00Z' });
  });

  it('has no spot category on an on-demand instance', async () => {
    const { url } = await running(ON_DEMAND);
    expect((await get(url, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    expect(await body(url, '/latest/meta-data/')).not.toContain('spot/');
  });
});

describe('rebalance recommendation and scheduled events', () => {
  it('is 404 before a rebalance recommendation and {"noticeTime"} after', async () => {
    const { clock, fleet, id, url } = await running(SPOT);
    expect((await get(url, '/latest/meta-data/events/recommendations/rebalance')).status).toBe(404);
    await clock.advance(9000);
    fleet.recommendRebalance(id);
    expect(JSON.parse(await body(url, '/latest/meta-data/events/recommendations/rebalance'))).toEqual({
      noticeTime: '2026-11-23T03:53:10Z',
    });
  });

  it('lists scheduled events with AWS field names and GMT dates', async () => {
    const { fleet, id, url } = await running(ON_DEMAND);
    fleet.get(id)?.scheduledEvents.push({
      code: 'system-reboot',
      description: 'scheduled reboot',
      eventId: 'instance-event-0123456789abcdef0',
      notBeforeMs: Date.UTC(2026, 11, 5, 9, 0, 43),
      notAfterMs: Date.UTC(2026, 11, 5, 9, 17, 23),
      state: 'active',
    });
    expect(JSON.parse(await body(url, '/latest/meta-data/events/maintenance/scheduled'))).toEqual([
      {
        Code: 'system-reboot',
        Description: 'scheduled reboot',
        EventId: 'instance-event-0123456789abcdef0',
        NotBefore: '05 Dec 2026 09:00:43 GMT',
        NotAfter: '05 Dec 2026 09:17:23 GMT',
        State: 'active',
      },
    ]);
  });
});

describe('directory listings and unknown paths', () => {
  it('lists /latest/meta-data/ with subdirectories marked by a trailing slash', async () => {
    const { url } = await running(SPOT);
    expect((await body(url, '/latest/meta-data/')).split('\n')).toEqual([
      'ami-id',
      'events/',
      'hostname',
      'instance-id',
      'instance-life-cycle',
      'instance-type',
      'local-hostname',
      'local-ipv4',
      'placement/',
      'spot/',
    ]);
  });

  it('lists subdirectories, with or without the trailing slash', async () => {
    const { clock, fleet, id, url } = await running(SPOT);
    expect(await body(url, '/latest/meta-data/placement/')).toBe('availability-zone\nregion');
    expect(await body(url, '/latest/meta-data/placement')).toBe('availability-zone\nregion');
    expect(await body(url, '/latest/meta-data/events/')).toBe('maintenance/\nrecommendations/');
    expect(await body(url, '/latest/meta-data/events/maintenance/')).toBe('scheduled');
    expect(await body(url, '/latest/dynamic/instance-identity/')).toBe('document');
    // Keys that would 404 are not listed; they appear with the notice.
    expect(await body(url, '/latest/meta-data/spot/')).toBe('');
    expect(await body(url, '/latest/meta-data/events/recommendations/')).toBe('');
    await clock.advance(1);
    fleet.interrupt(id);
    fleet.recommendRebalance(id);
    expect(await body(url, '/latest/meta-data/spot/')).toBe('instance-action\ntermination-time');
    expect(await body(url, '/latest/meta-data/events/recommendations/')).toBe('rebalance');
  });

  it('answers an unknown path with 404 and the EC2 "Not Found" page', async () => {
    const { url } = await running(SPOT);
    for (const path of ['/latest/meta-data/no-such-key', '/latest/meta-data/instance-id/deeper', '/nope']) {
      const reply = await get(url, path);
      expect(reply.status, path).toBe(404);
      expect(reply.headers.get('content-type')).toBe('text/html');
      expect(reply.body).toContain('<title>404 - Not Found</title>');
    }
  });

  it('answers 404 when the instance is gone from the fleet', async () => {
    const { clock, fleet } = newFleet();
    server = await startImdsServer({ instance: () => fleet.get('i-missing'), clock, requireV2: false });
    expect((await get(server.url, '/latest/meta-data/instance-id')).status).toBe(404);
  });
});

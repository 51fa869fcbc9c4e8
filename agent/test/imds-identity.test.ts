import { createLogger, loadConfig, systemClock } from '@ballast/common';
import { Fleet, ManualClock, startImdsServer } from '@ballast/sim';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_CONFIG } from '../src/config/agent-config.ts';
import { resolveIdentity } from '../src/identity.ts';
import { ImdsClient, ImdsError } from '../src/imds/imds-client.ts';

const log = createLogger('test', 'silent');
const clock = new ManualClock(Date.parse('2026-11-23T00:00:00Z'));
const fleet = new Fleet(clock, { bootDelayMs: 1_000, shutdownDelayMs: 1_000 });
const spot = fleet.launch({ instanceType: 'm5.large', availabilityZone: 'us-east-1b', capacityType: 'spot', imageId: 'ami-1' });

// The agent's IMDS client against the simulator's metadata server over real HTTP.
describe('agent identity from the instance metadata service', async () => {
  await clock.advance(1_000);
  const v2Only = await startImdsServer({ instance: () => fleet.get(spot.id), clock, requireV2: true, host: '127.0.0.1' });
  afterAll(() => v2Only.close());

  const client = (allowV1: boolean, endpoint = v2Only.url) =>
    new ImdsClient({ endpoint, tokenTtlSeconds: 21_600, allowV1, timeoutMs: 1_000 }, systemClock);

  it('reads instance id, type, zone and lifecycle with an IMDSv2 token', async () => {
    const config = loadConfig(AGENT_CONFIG, [], {});
    const id = await resolveIdentity(config, client(false), log);
    expect(id).toEqual({ instanceId: spot.id, instanceType: 'm5.large', availabilityZone: 'us-east-1b', lifecycle: 'spot' });
  });

  it('lets configured values win over IMDS', async () => {
    const config = loadConfig(AGENT_CONFIG, [], { BALLAST_INSTANCE_TYPE: 'c5.xlarge' });
    const id = await resolveIdentity(config, client(false), log);
    expect(id.instanceType).toBe('c5.xlarge');
    expect(id.instanceId).toBe(spot.id);
  });

  it('answers 404 for a notice that does not exist yet, as an answer and not an error', async () => {
    const a = await client(false).get('/latest/meta-data/spot/instance-action');
    expect(a.status).toBe(404);
  });

  it('falls back to configuration when IMDS is unreachable', async () => {
    const config = loadConfig(AGENT_CONFIG, [], { BALLAST_INSTANCE_ID: 'i-configured' });
    const id = await resolveIdentity(config, client(false, 'http://127.0.0.1:9'), log);
    expect(id.instanceId).toBe('i-configured');
    await expect(client(false, 'http://127.0.0.1:9').getText('/latest/meta-data/instance-id')).rejects.toBeInstanceOf(ImdsError);
  });

  it('falls back to IMDSv1 only when allowed and the token call is refused', async () => {
    const v1 = await startImdsServer({ instance: () => fleet.get(spot.id), clock, requireV2: false, host: '127.0.0.1' });
    try {
      v1.faults = { status500: '/latest/api/token' };
      await expect(client(true, v1.url).getText('/latest/meta-data/instance-id')).rejects.toThrow(/token request answered 500/);
    } finally {
      await v1.close();
    }
  });
});

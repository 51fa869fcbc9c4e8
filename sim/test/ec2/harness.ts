import { EC2Client } from '@aws-sdk/client-ec2';
import { Fleet } from '../../src/core/fleet.ts';
import { Rng } from '../../src/core/rng.ts';
import { ManualClock } from '../../src/core/sim-clock.ts';
import { type Ec2Server, startEc2Server } from '../../src/ec2/index.ts';
import { SpotMarket, type SpotMarketOptions } from '../../src/market/index.ts';

export const T0 = Date.parse('2024-01-15T00:00:00Z');

export interface Harness {
  clock: ManualClock;
  fleet: Fleet;
  market: SpotMarket;
  server: Ec2Server;
  ec2: EC2Client;
  close(): Promise<void>;
}

/**
 * A fake EC2 on a manual clock and the real SDK client pointed at it. maxAttempts is 1
 * because the SDK retries 5xx answers (InsufficientInstanceCapacity among them) and the
 * tests assert the first answer.
 */
export async function startHarness(market: Partial<SpotMarketOptions> = {}, seed = 7): Promise<Harness> {
  const clock = new ManualClock(T0);
  const rng = new Rng(seed);
  const fleet = new Fleet(clock, { bootDelayMs: 30_000, shutdownDelayMs: 20_000 });
  const spotMarket = new SpotMarket({ rng, startMs: T0 - 86_400_000, ...market });
  const server = await startEc2Server({ fleet, market: spotMarket, clock, rng });
  const ec2 = new EC2Client({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSIM', secretAccessKey: 'sim' },
    maxAttempts: 1,
  });
  return {
    clock,
    fleet,
    market: spotMarket,
    server,
    ec2,
    close: async () => {
      ec2.destroy();
      await server.close();
    },
  };
}

/** The SDK error a promise rejects with (fails the test if it resolves). */
export async function sdkError(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

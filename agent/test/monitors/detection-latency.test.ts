import { ImdsFleet } from '@ballast/sim';
import { afterAll, describe, expect, it } from 'vitest';
import { SpotInterruptionMonitor } from '../../src/monitors/spot-interruption-monitor.ts';
import { capturingLogger, client, SimNode, sleep, waitFor } from './harness.ts';

const INTERVAL = 100;
const NOTICES = 20;
const sim = new SimNode();
const imds = new ImdsFleet(sim.fleet, { requireV2: true });
afterAll(() => imds.close());

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

// Prints (does not assert tight bounds on) the time from EC2 issuing a notice to the sink
// receiving it, at a random phase against the poll grid. Expected: about half an interval on
// average, at most one interval plus one request.
describe('spot notice detection latency', () => {
  it(`${NOTICES} notices at a ${INTERVAL} ms poll interval`, async () => {
    const instances = Array.from({ length: NOTICES }, () =>
      sim.fleet.launch({ instanceType: 'c5.large', availabilityZone: 'us-east-1b', capacityType: 'spot', imageId: 'ami-1' }),
    );
    await sim.clock.advance(1_000);
    await imds.ready();
    const latencies: number[] = [];
    for (const instance of instances) {
      let seenAt = 0;
      const m = new SpotInterruptionMonitor({
        imds: client(imds.endpointOf(instance.id) ?? ''),
        onNotice: () => {
          seenAt = performance.now();
        },
        log: capturingLogger(),
        intervalMs: INTERVAL,
      });
      m.start();
      await waitFor(() => m.stats.polls >= 1 && m.stats.lastSuccessAtMs !== null, 'the first poll');
      await sleep(Math.random() * INTERVAL); // a random phase against the poll grid
      const issuedAt = performance.now();
      sim.fleet.interrupt(instance.id);
      await waitFor(() => seenAt > 0, 'the notice');
      latencies.push(seenAt - issuedAt);
      expect(m.stats.notices).toBe(1);
      await m.shutdown();
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    const f = (n: number) => `${n.toFixed(1)} ms`;
    console.log(
      `spot detection latency over ${NOTICES} notices at ${INTERVAL} ms: min ${f(pct(sorted, 0))}, median ${f(pct(sorted, 50))}, ` +
        `mean ${f(mean)}, p95 ${f(pct(sorted, 95))}, max ${f(pct(sorted, 100))} (NTH polls every 2,000 ms: ~1,000 ms mean, ≤2,000 ms + its 1 s event loop)`,
    );
    // Loose sanity only: the figure is reported, not asserted.
    expect(pct(sorted, 100)).toBeLessThan(20 * INTERVAL);
  });
});

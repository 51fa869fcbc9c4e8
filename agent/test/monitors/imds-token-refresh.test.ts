import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '@ballast/common';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ImdsClient } from '../../src/imds/imds-client.ts';
import type { Notice } from '../../src/monitors/notices.ts';
import { SpotInterruptionMonitor } from '../../src/monitors/spot-interruption-monitor.ts';
import { capturingLogger, client, SimNode, waitFor } from './harness.ts';

const INTERVAL = 50;
const sim = new SimNode();
const running: SpotInterruptionMonitor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
});
afterAll(() => sim.close());

// Tokens expire on the simulator's clock. A client on the real clock learns of the expiry
// from a 401 and fetches a new token; a client on the same clock refreshes before it ends.
describe('IMDSv2-only server with tokens expiring on the sim clock', () => {
  it('the client refreshes after a 401 and the monitor sees no error', async () => {
    const { instance, server } = await sim.spotInstance(true);
    const notices: Notice[] = [];
    const m = new SpotInterruptionMonitor({
      imds: client(server.url, { tokenTtlSeconds: 60 }),
      onNotice: (n) => notices.push(n),
      log: capturingLogger(),
      intervalMs: INTERVAL,
    });
    running.push(m);
    m.start();
    await waitFor(() => m.stats.polls >= 2, 'two polls');
    expect(server.stats.tokensIssued).toBe(1);

    await sim.clock.advance(61_000);
    const polls = m.stats.polls;
    await waitFor(() => m.stats.polls >= polls + 3, 'three polls after the expiry');
    expect(server.stats.byStatus['401']).toBe(1);
    expect(server.stats.tokensIssued).toBe(2);
    expect(m.stats.monitorErrors).toEqual({});

    sim.fleet.interrupt(instance.id);
    await waitFor(() => notices.length === 1, 'the notice with the new token');
  });

  it('a client on the sim clock refreshes ahead of expiry, never meeting a 401', async () => {
    const { server } = await sim.spotInstance(true);
    const imds = client(server.url, { tokenTtlSeconds: 60, clock: sim.clock });
    expect((await imds.get('/latest/meta-data/instance-id')).status).toBe(200);
    await sim.clock.advance(31_000); // past half the lifetime: the refresh margin for a short TTL
    expect((await imds.get('/latest/meta-data/instance-id')).status).toBe(200);
    expect(server.stats.tokensIssued).toBe(2);
    expect(server.stats.byStatus['401']).toBeUndefined();
  });

  it('concurrent callers share one token request', async () => {
    const { server } = await sim.spotInstance(true);
    const imds = client(server.url);
    const answers = await Promise.all([1, 2, 3, 4].map(() => imds.get('/latest/meta-data/instance-id')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(server.stats.tokensIssued).toBe(1);
  });
});

describe('ImdsClient v1 fallback', () => {
  it('returns to tokens when an instance it reached with IMDSv1 starts requiring them', async () => {
    // A tiny stand-in: the sim cannot switch HttpTokens on a live server.
    let requireTokens = false;
    const server = createServer((req, res) => {
      if (req.url === '/latest/api/token') {
        res.writeHead(requireTokens ? 200 : 403).end(requireTokens ? 'tok' : '');
        return;
      }
      const ok = req.headers['x-aws-ec2-metadata-token'] === 'tok' || !requireTokens;
      res.writeHead(ok ? 200 : 401).end(ok ? 'i-0123' : '');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const imds = new ImdsClient({ endpoint: url, tokenTtlSeconds: 60, allowV1: true, timeoutMs: 500 }, systemClock);
      expect(await imds.getText('/latest/meta-data/instance-id')).toBe('i-0123');
      requireTokens = true;
      expect(await imds.getText('/latest/meta-data/instance-id')).toBe('i-0123');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

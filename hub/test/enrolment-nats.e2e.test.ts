import { type AgentHandle, type NatsServerHandle, startAgent, startNatsServer, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubHarness } from './hub-harness.ts';

// A real agent on the NATS transport that presents no enrolment token, to a hub whose
// enrolment is `required` (its default): nothing of it may be stored or acked.
let nats: NatsServerHandle;
let h: Awaited<ReturnType<typeof hubHarness>>;
let agent: AgentHandle;

beforeAll(async () => {
  nats = await startNatsServer();
  h = await hubHarness(undefined, { natsUrl: nats.url });
  await waitFor('hub consuming from NATS', () => h.hub.nats?.ready === true, 30_000);
  agent = await startAgent({
    hubAddress: '127.0.0.1:1', // unused: the agent talks to NATS only
    cluster: 'prod',
    intervalMs: 300,
    env: { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: nats.url },
  });
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await h?.close();
  await nats?.dispose();
});

describe('agent enrolment over NATS (hub default: required)', () => {
  it('drops an agent without a token: nothing stored, nothing acked, the refusal audited once', async () => {
    const nats = () => h.hub.nats?.stats ?? { received: 0, acked: 0, terminated: 0 };
    await waitFor('several of the agent’s messages refused', () => nats().terminated >= 5, 30_000);
    expect(nats().acked).toBe(0);
    expect(await h.hub.registry.list(null)).toEqual([]);
    const stored = await h.hub.store.metricNames({ tenant: 'default', prefix: '', limit: 10 });
    expect(stored).toEqual([]);
    const audited = await h.store.query<{ actor: string; details: { reason: string } }>(
      "SELECT actor, details FROM audit_log WHERE action = 'agent.connect' AND result = 'denied'",
    );
    // Once per agent epoch, however many messages it sends.
    expect(audited.rows).toEqual([{ actor: `agent:prod/${agent.node}`, details: expect.objectContaining({ node: agent.node }) }]);
    expect(audited.rows[0]?.details.reason).toMatch(/requires an enrolment token/);
  });
});

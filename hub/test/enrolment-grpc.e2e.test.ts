import { type AgentMessage, AgentMessageSchema, agentGatewayDefinition, HelloSchema, type HubMessage } from '@ballast/proto';
import { waitFor } from '@ballast/testkit';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret } from '../src/auth/secret-token.ts';
import { ApiTokenRepository, UserRepository } from '../src/state/index.ts';
import { DAY, T0 } from './auth-fixtures.ts';
import { hubHarness } from './hub-harness.ts';

const Client = grpc.makeGenericClientConstructor(agentGatewayDefinition, 'AgentGateway');

/** One agent stream by hand: a Hello with the given token, then what the hub answers. */
async function connect(address: string, hello: { cluster: string; node: string; token: string; tenant?: string }) {
  const client = new Client(address, grpc.credentials.createInsecure());
  const call = (client as unknown as { connect(): grpc.ClientDuplexStream<AgentMessage, HubMessage> }).connect();
  const received: HubMessage[] = [];
  let error: grpc.ServiceError | null = null;
  call.on('data', (m: HubMessage) => received.push(m));
  call.on('error', (e: grpc.ServiceError) => {
    error = e;
  });
  const value = create(HelloSchema, {
    tenant: hello.tenant ?? '',
    cluster: hello.cluster,
    node: hello.node,
    epoch: 7n,
    agentVersion: 'test',
    enrolmentToken: hello.token,
  });
  call.write(create(AgentMessageSchema, { kind: { case: 'hello', value } }));
  const outcome = await waitFor('welcome or refusal', () => (received.length > 0 ? 'welcome' : error ? 'refused' : undefined), 15_000);
  return {
    outcome,
    error: error as grpc.ServiceError | null,
    welcome: received[0]?.kind.case === 'welcome',
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

let h: Awaited<ReturnType<typeof hubHarness>>;
let address: string;
let auth: Record<string, string>;
const api = (method: string, url: string, payload?: unknown) =>
  h.app.inject({ method: method as 'GET', url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });

beforeAll(async () => {
  // The hub's defaults: agentEnrolment is not set, so it is `required`.
  h = await hubHarness();
  address = `127.0.0.1:${h.hub.gateway.boundPort}`;
  const admin = (await new UserRepository(h.store).credentials('admin'))?.user;
  const s = newSecret('api');
  await new ApiTokenRepository(h.store).create(
    { tokenHash: s.hash, prefix: s.prefix, name: 'test', userId: admin?.id as string, clientId: null, role: 'admin', expiresAt: T0 + DAY },
    T0,
  );
  auth = { authorization: `Bearer ${s.token}` };
  expect((await api('POST', '/api/v1/clients', { id: 'acme', name: 'Acme' })).statusCode).toBe(201);
}, 120_000);
afterAll(() => h?.close());

async function enrolmentToken(cluster: string): Promise<{ id: string; token: string }> {
  const res = await api('POST', `/api/v1/clusters/${cluster}/enrolment-tokens?client=acme`, { name: 'agents' });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string; token: string };
}

async function refusals(): Promise<Array<{ actor: string; target: string; details: Record<string, unknown> }>> {
  const rows = await h.store.query<{ actor: string; target: string; details: Record<string, unknown> }>(
    "SELECT actor, target, details FROM audit_log WHERE action = 'agent.connect' AND result = 'denied' ORDER BY id",
  );
  return rows.rows;
}

describe('agent enrolment over gRPC (hub default: required)', () => {
  it('refuses an agent without a token with UNAUTHENTICATED, and audits it', async () => {
    const before = (await refusals()).length;
    const c = await connect(address, { cluster: 'prod', node: 'n-none', token: '' });
    c.close();
    expect([c.outcome, c.error?.code]).toEqual(['refused', grpc.status.UNAUTHENTICATED]);
    expect(c.error?.details).toMatch(/requires an enrolment token/);
    const after = await refusals();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ actor: 'agent:prod/n-none', target: 'cluster:prod' });
  });

  it('accepts the cluster’s own token and binds the stream to the token’s tenant', async () => {
    const { token } = await enrolmentToken('prod');
    // The agent names no tenant: the token does.
    const c = await connect(address, { cluster: 'prod', node: 'n-ok', token });
    expect([c.outcome, c.welcome]).toEqual(['welcome', true]);
    const nodes = (await api('GET', '/api/v1/nodes')).json() as { nodes: Array<{ node: string; tenant: string }> };
    expect(nodes.nodes.find((n) => n.node === 'n-ok')).toMatchObject({ tenant: 'acme' });
    c.close();
  });

  it('refuses an agent claiming another cluster than its token’s with PERMISSION_DENIED, and audits the attempt', async () => {
    const { token } = await enrolmentToken('staging');
    const before = (await refusals()).length;
    const c = await connect(address, { cluster: 'prod', node: 'n-wrong', token });
    c.close();
    expect([c.outcome, c.error?.code]).toEqual(['refused', grpc.status.PERMISSION_DENIED]);
    const after = await refusals();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ actor: 'agent:prod/n-wrong', details: expect.objectContaining({ node: 'n-wrong' }) });
    // The audit record names the token by its prefix only, never the token.
    expect(JSON.stringify(after.at(-1))).not.toContain(token);
  });

  it('refuses a token claimed for another tenant than its own', async () => {
    const { token } = await enrolmentToken('prod');
    const c = await connect(address, { cluster: 'prod', node: 'n-tenant', token, tenant: 'umbrella' });
    c.close();
    expect(c.error?.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('refuses a revoked token with UNAUTHENTICATED', async () => {
    const { id, token } = await enrolmentToken('prod');
    const ok = await connect(address, { cluster: 'prod', node: 'n-before', token });
    ok.close();
    expect(ok.outcome).toBe('welcome');
    expect((await api('DELETE', `/api/v1/clusters/prod/enrolment-tokens/${id}?client=acme`)).statusCode).toBe(204);
    const c = await connect(address, { cluster: 'prod', node: 'n-after', token });
    c.close();
    expect([c.outcome, c.error?.code]).toEqual(['refused', grpc.status.UNAUTHENTICATED]);
    expect(c.error?.details).toMatch(/unknown, revoked or expired/);
  });
});

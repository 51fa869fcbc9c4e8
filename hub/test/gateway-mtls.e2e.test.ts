import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentMessage, AgentMessageSchema, agentGatewayDefinition, HelloSchema, type HubMessage } from '@ballast/proto';
import { startAgent, tempDir, waitFor } from '@ballast/testkit';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubHarness } from './hub-harness.ts';

// A test CA, the hub's certificate and an agent's, made by openssl exactly as the README says.
const pki = tempDir('mtls');
const file = (name: string) => join(pki.path, name);
function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: pki.path, stdio: 'pipe' });
}

const Client = grpc.makeGenericClientConstructor(agentGatewayDefinition, 'AgentGateway');
let h: Awaited<ReturnType<typeof hubHarness>>;

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ballast-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=hub',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    'hub.key',
    '-out',
    'hub.csr',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'hub.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-copy_extensions',
    'copy',
    '-out',
    'hub.crt',
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=agent', '-keyout', 'agent.key', '-out', 'agent.csr');
  openssl('x509', '-req', '-in', 'agent.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'agent.crt');
  h = await hubHarness(undefined, {
    agentEnrolment: 'open',
    tlsCert: file('hub.crt'),
    tlsKey: file('hub.key'),
    tlsClientCa: file('ca.crt'),
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  pki.remove();
});

async function hello(credentials: grpc.ChannelCredentials): Promise<'welcome' | grpc.ServiceError> {
  const client = new Client(`localhost:${h.hub.gateway.boundPort}`, credentials);
  const call = (client as unknown as { connect(): grpc.ClientDuplexStream<AgentMessage, HubMessage> }).connect();
  let outcome: 'welcome' | grpc.ServiceError | undefined;
  call.on('data', () => {
    outcome ??= 'welcome';
  });
  call.on('error', (e: grpc.ServiceError) => {
    outcome ??= e;
  });
  const value = create(HelloSchema, { cluster: 'tls', node: `n-${Math.random()}`, epoch: 1n, agentVersion: 'test' });
  call.write(create(AgentMessageSchema, { kind: { case: 'hello', value } }));
  const result = await waitFor('an answer', () => outcome, 15_000);
  call.cancel();
  client.close();
  return result;
}

describe('mutual TLS on the gRPC listener', () => {
  it('welcomes an agent whose certificate the client CA signed', async () => {
    const creds = grpc.credentials.createSsl(
      readFileSync(file('ca.crt')),
      readFileSync(file('agent.key')),
      readFileSync(file('agent.crt')),
    );
    expect(await hello(creds)).toBe('welcome');
  });

  it('refuses an agent without a client certificate, and one speaking plaintext', async () => {
    const noCert = await hello(grpc.credentials.createSsl(readFileSync(file('ca.crt'))));
    expect(noCert).not.toBe('welcome');
    expect((noCert as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    const plain = await hello(grpc.credentials.createInsecure());
    expect((plain as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('the agent over TLS', () => {
  it('connects with its certificate (--hub-tls-ca/-cert/-key) and its samples are stored', async () => {
    const agent = await startAgent({
      hubAddress: `localhost:${h.hub.gateway.boundPort}`,
      cluster: 'tls',
      env: { BALLAST_HUB_TLS_CA: file('ca.crt'), BALLAST_HUB_TLS_CERT: file('agent.crt'), BALLAST_HUB_TLS_KEY: file('agent.key') },
    });
    try {
      await waitFor('the agent over mTLS', () => h.hub.registry.get('default', 'tls', agent.node)?.connected === true, 30_000);
      await waitFor('acked batches', async () => ((await agent.metrics()).ballast_agent_batches_acked_total ?? 0) > 0, 30_000);
    } finally {
      await agent.stop();
    }
  });

  it('is refused without a client certificate: never registered, and it says why it is reconnecting', async () => {
    const agent = await startAgent({
      hubAddress: `localhost:${h.hub.gateway.boundPort}`,
      cluster: 'tls',
      env: { BALLAST_HUB_TLS_CA: file('ca.crt') },
    });
    try {
      await agent.process.waitForLog((l) => l.msg === 'hub stream lost; reconnecting', 30_000);
      expect(h.hub.registry.get('default', 'tls', agent.node)).toBeUndefined();
    } finally {
      await agent.stop();
    }
  });
});

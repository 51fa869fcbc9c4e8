import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type AgentHandle, type NatsServerHandle, startAgent, startNatsServer, tempDir, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubHarness } from './hub-harness.ts';

// A test CA, the NATS server's certificate and the clients' (hub, agent), made by openssl
// exactly as the README says; a second CA stands for anyone else's.
const pki = tempDir('nats-mtls');
const file = (name: string) => join(pki.path, name);
function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: pki.path, stdio: 'pipe' });
}
function selfSignedCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  );
}
function signed(name: string, ca: string, san?: string): void {
  const ext = san ? ['-addext', `subjectAltName=${san}`] : [];
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, ...ext, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  const copy = san ? ['-copy_extensions', 'copy'] : [];
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    ...copy,
    '-out',
    `${name}.crt`,
  );
}

let nats: NatsServerHandle;
let h: Awaited<ReturnType<typeof hubHarness>>;
const agents: AgentHandle[] = [];

/** A NATS agent's environment; `client` names its certificate and key (none: no client certificate). */
function agentEnv(url: string, client?: string): Record<string, string> {
  return {
    BALLAST_TRANSPORT: 'nats',
    BALLAST_NATS_URL: url,
    BALLAST_NATS_TLS_CA: file('ca.crt'),
    ...(client ? { BALLAST_NATS_TLS_CERT: file(`${client}.crt`), BALLAST_NATS_TLS_KEY: file(`${client}.key`) } : {}),
  };
}

async function storedNodes(): Promise<string[]> {
  return h.hub.store.labelValues({ tenant: 'default', label: 'node', limit: 100 });
}

beforeAll(async () => {
  selfSignedCa('ca');
  signed('nats', 'ca', 'DNS:localhost,IP:127.0.0.1');
  signed('hub', 'ca');
  signed('agent', 'ca');
  selfSignedCa('other-ca');
  signed('stranger', 'other-ca');
  nats = await startNatsServer({ tls: { cert: file('nats.crt'), key: file('nats.key'), ca: file('ca.crt'), verify: true } });
}, 60_000);

afterAll(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  await h?.close();
  await nats?.dispose();
  pki.remove();
});

// Each hub here is in this process (chDB allows one open store per process), one after the other.
describe('a hub given the wrong CA', () => {
  it('serves but does not consume, and says why in its NATS status and readiness', async () => {
    const tls = { natsTlsCa: file('other-ca.crt'), natsTlsCert: file('hub.crt'), natsTlsKey: file('hub.key') };
    const wrong = await hubHarness(undefined, { natsUrl: nats.url, ...tls });
    try {
      const error = await waitFor('the TLS error reported', () => wrong.hub.nats?.lastError ?? undefined, 20_000);
      expect(error).toMatch(/^cannot connect to NATS: NatsTlsRefusedError: 127\.0\.0\.1:\d+: the server's certificate was not accepted/);
      expect(wrong.hub.nats?.ready).toBe(false);
      const ready = await wrong.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      const check = ready.json<{ checks: Array<{ name: string }> }>().checks.find((c) => c.name === 'nats');
      expect(JSON.stringify(check)).toMatch(/certificate was not accepted/);
    } finally {
      await wrong.close();
    }
  }, 60_000);
});

describe('mutual TLS between NATS, the hub and agents', () => {
  beforeAll(async () => {
    // The hub's natsUrl is tls://; natsTls* come from NATS_TLS_CONFIG in the hub's config.
    const tls = { natsTlsCa: file('ca.crt'), natsTlsCert: file('hub.crt'), natsTlsKey: file('hub.key') };
    h = await hubHarness(undefined, { natsUrl: nats.url, agentEnrolment: 'open', ...tls });
    await waitFor(
      'hub consuming from NATS over mutual TLS',
      () => h.hub.nats?.ready === true,
      30_000,
      () => nats.tail(),
    );
  }, 120_000);

  it('stores the metrics of an agent whose certificate the CA signed (plain nats:// URL plus TLS files)', async () => {
    expect(nats.url).toMatch(/^tls:\/\//);
    const agent = await startAgent({
      hubAddress: '127.0.0.1:1', // unused: the agent talks to NATS only
      cluster: 'mtls',
      intervalMs: 300,
      env: agentEnv(`nats://localhost:${nats.port}`, 'agent'),
    });
    agents.push(agent);
    await waitFor(
      'the agent’s series stored',
      async () => (await storedNodes()).includes(agent.node),
      30_000,
      () => agent.process.tail(),
    );
    // Acked only once stored.
    await waitFor('its batches acked', () => (h.hub.nats?.stats.acked ?? 0) > 0, 10_000);
    expect((await agent.metrics()).ballast_agent_connected).toBe(1);
  });

  it('refuses an agent without a client certificate and one whose certificate another CA signed; both say why', async () => {
    const noCert = await startAgent({ hubAddress: '127.0.0.1:1', cluster: 'mtls', intervalMs: 300, env: agentEnv(nats.url) });
    const stranger = await startAgent({ hubAddress: '127.0.0.1:1', cluster: 'mtls', intervalMs: 300, env: agentEnv(nats.url, 'stranger') });
    agents.push(noCert, stranger);
    const refusal = (a: AgentHandle, pattern: RegExp) =>
      waitFor(
        `${a.node} logs the refusal twice`,
        () => {
          const lines = a.process.logs().filter((l) => l.msg === 'cannot connect to NATS; retrying' && pattern.test(String(l.reason)));
          return lines.length >= 2 ? lines : undefined;
        },
        20_000,
        () => a.process.tail(),
      );
    await refusal(noCert, /requires a client certificate and none is configured/);
    await refusal(stranger, /refused this client's certificate/);
    // The refusal is the server's, at the TLS handshake.
    expect(nats.tail(200)).toMatch(/client didn't provide a certificate/);
    expect(nats.tail(200)).toMatch(/failed to verify client certificate/);
    const stored = await storedNodes();
    expect(stored).not.toContain(noCert.node);
    expect(stored).not.toContain(stranger.node);
    const registered = (await h.hub.registry.list(null)).map((a) => a.node);
    expect(registered).not.toContain(noCert.node);
    expect(registered).not.toContain(stranger.node);
    expect((await noCert.metrics()).ballast_agent_connected).toBe(0);
  });

  it('an agent with an unreadable TLS file stops at start naming the field and the path', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'agent/src/main.ts'], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, ...agentEnv(nats.url, 'agent'), BALLAST_NATS_TLS_KEY: file('missing.key'), BALLAST_IMDS_ENDPOINT: 'off' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`natsTlsKey (--nats-tls-key): cannot read ${file('missing.key')}`);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@ballast/common';
import { CommandSchema } from '@ballast/proto';
import {
  BUILT_IN_IMAGE_IDS,
  CLUSTER_TAG,
  Fleet,
  type KubeApiServer,
  ManualClock,
  kubeResources as R,
  startKubeApiServer,
} from '@ballast/sim';
import { type AgentHandle, type NatsServerHandle, startAgent, startNatsServer, waitFor } from '@ballast/testkit';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_CONFIG } from '../src/config/hub-config.ts';
import { Hub } from '../src/hub.ts';
import { CommandError } from '../src/switches/agent-commander.ts';
import type { CorrelatedCommander } from '../src/switches/correlated-commander.ts';
import { grpcCommander, natsCommander } from '../src/switches/transport-commanders.ts';

// The AgentCommander contract over both transports, each with a real agent process whose
// Kubernetes access is the sim's kube-apiserver: a command reaches the agent, the agent
// acts on its node, and its CommandResult comes back to the caller. The hub runs in this
// process (gRPC gateway, NATS ingest, chDB); the commanders' timeouts run on a manual clock.
let nats: NatsServerHandle;
let hub: Hub;
let kube: KubeApiServer;
const dirs: string[] = [];
const kubeClock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
const fleet = new Fleet(kubeClock, { bootDelayMs: 1_000, shutdownDelayMs: 1_000 });

beforeAll(async () => {
  nats = await startNatsServer();
  const dir = (p: string) => {
    const d = mkdtempSync(join(tmpdir(), p));
    dirs.push(d);
    return d;
  };
  const config = loadConfig(
    HUB_CONFIG,
    [
      '--http-port',
      '0',
      '--grpc-port',
      '0',
      '--grpc-host',
      '127.0.0.1',
      '--http-host',
      '127.0.0.1',
      '--chdb-path',
      dir('ballast-cmd-chdb-'),
      '--metadata-path',
      dir('ballast-cmd-meta-'),
      '--nats-url',
      nats.url,
      // The agents here carry no enrolment token: admission is not what this test is about.
      '--agent-enrolment',
      'open',
    ],
    {},
  );
  hub = new Hub(config, createLogger('test', 'silent'));
  await hub.start();
  kube = await startKubeApiServer({ fleet, clock: kubeClock, clusterName: 'prod' });
}, 120_000);

afterAll(async () => {
  await hub?.shutdown();
  await kube?.close();
  await nats?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A booted node of the sim cluster, and a real agent on it speaking `transport`. */
async function nodeWithAgent(transport: 'grpc' | 'nats'): Promise<{ node: string; agent: AgentHandle }> {
  const i = fleet.launch({
    instanceType: 'm5.large',
    availabilityZone: 'us-east-1a',
    capacityType: 'spot',
    imageId: BUILT_IN_IMAGE_IDS.al2023X86,
    tags: { [CLUSTER_TAG]: 'prod' },
  });
  await kubeClock.advance(1_000);
  const agent = await startAgent({
    hubAddress: `127.0.0.1:${hub.gateway.boundPort}`,
    node: i.privateDnsName,
    cluster: 'prod',
    env: {
      BALLAST_KUBECONFIG: kube.kubeconfigPath,
      ...(transport === 'nats' ? { BALLAST_TRANSPORT: 'nats', BALLAST_NATS_URL: nats.url } : {}),
    },
  });
  return { node: i.privateDnsName, agent };
}

const transports: Array<['grpc' | 'nats', (clock: ManualClock) => CorrelatedCommander]> = [
  ['grpc', (clock) => grpcCommander(hub.registry, clock)],
  ['nats', (clock) => natsCommander(hub.registry, hub.nats as NonNullable<Hub['nats']>, clock)],
];

describe.each(transports)('AgentCommander over %s', (transport, make) => {
  let node: string;
  let agent: AgentHandle;
  let commander: CorrelatedCommander;
  const clock = new ManualClock(0);
  beforeAll(async () => {
    ({ node, agent } = await nodeWithAgent(transport));
    commander = make(clock);
    await waitFor(
      `the ${transport} agent to be reachable`,
      () => commander.reachable({ tenant: 'default', cluster: 'prod', node }),
      30_000,
      () => agent.process.tail(),
    );
  }, 60_000);
  afterAll(async () => {
    commander?.close();
    await agent?.stop();
  });
  const to = () => ({ tenant: 'default', cluster: 'prod', node });
  const unschedulable = () =>
    (kube.store.get(R.nodes, undefined, node) as unknown as { spec: { unschedulable?: boolean } }).spec.unschedulable === true;

  it('carries a cordon to the agent, which cordons its node and answers ok; then an uncordon', async () => {
    const answer = await commander.send(
      to(),
      create(CommandSchema, { id: `${transport}-cordon-1`, kind: { case: 'cordon', value: {} } }),
      60_000,
    );
    expect(answer).toEqual({ commandId: `${transport}-cordon-1`, ok: true, message: `cordoned ${node}` });
    expect(unschedulable()).toBe(true);
    const back = await commander.send(
      to(),
      create(CommandSchema, { id: `${transport}-uncordon-1`, kind: { case: 'uncordon', value: {} } }),
      60_000,
    );
    expect(back.ok).toBe(true);
    expect(unschedulable()).toBe(false);
  });

  it('hands back the agent refusal as an answer with ok false', async () => {
    const answer = await commander.send(
      to(),
      create(CommandSchema, { id: `${transport}-config-1`, kind: { case: 'configUpdate', value: { collectIntervalMs: 1000 } } }),
      60_000,
    );
    expect(answer.ok).toBe(false);
    expect(answer.message).toMatch(/config updates from the hub are not supported/);
  });

  it('refuses an agent that is not connected, sending nothing', async () => {
    const err = await commander
      .send(
        { tenant: 'default', cluster: 'prod', node: 'no-such-node' },
        create(CommandSchema, { id: `${transport}-x`, kind: { case: 'cordon', value: {} } }),
        1_000,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).code).toBe('not-connected');
  });

  it('times out on the injected clock when the agent does not answer, and ignores the late answer', async () => {
    process.kill(agent.process.pid, 'SIGSTOP');
    try {
      const pending = commander.send(
        to(),
        create(CommandSchema, { id: `${transport}-cordon-late`, kind: { case: 'cordon', value: {} } }),
        5_000,
      );
      const outcome = pending.catch((e: unknown) => e);
      await clock.advance(5_000);
      const err = await outcome;
      expect((err as CommandError).code).toBe('timeout');
    } finally {
      process.kill(agent.process.pid, 'SIGCONT');
    }
    // The agent still acts once it runs again; its answer finds nobody waiting and is dropped.
    await waitFor('the late cordon', () => unschedulable(), 30_000);
    const next = await commander.send(
      to(),
      create(CommandSchema, { id: `${transport}-uncordon-2`, kind: { case: 'uncordon', value: {} } }),
      60_000,
    );
    expect(next.ok).toBe(true);
  });
});

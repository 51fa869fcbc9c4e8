import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@ballast/common';
import { kubeResources as R } from '@ballast/sim';
import { type AgentHandle, startAgent, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_CONFIG } from '../src/config/hub-config.ts';
import { Hub } from '../src/hub.ts';
import { SWITCH_TAGS } from '../src/switches/switch-ports.ts';
import { grpcCommander } from '../src/switches/transport-commanders.ts';
import { healthy, SwitchWorld } from './switch-fixture.ts';

// A switch whose old node has a real agent connected over gRPC: the hub orders the drain
// through the agent (its PDB-aware executor against the sim's kube-apiserver) and waits
// for its CommandResult before terminating the instance.
let hub: Hub;
const dirs: string[] = [];
beforeAll(async () => {
  const dir = (p: string) => {
    const d = mkdtempSync(join(tmpdir(), p));
    dirs.push(d);
    return d;
  };
  const config = loadConfig(
    HUB_CONFIG,
    [
      ...['--http-port', '0', '--grpc-port', '0', '--grpc-host', '127.0.0.1', '--http-host', '127.0.0.1'],
      ...['--chdb-path', dir('ballast-drain-chdb-'), '--metadata-path', dir('ballast-drain-meta-')],
      // The agent here carries no enrolment token: admission is not what this test is about.
      ...['--agent-enrolment', 'open'],
    ],
    {},
  );
  hub = new Hub(config, createLogger('test', 'silent'));
  await hub.start();
}, 120_000);
afterAll(async () => {
  await hub?.shutdown();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('switch with an agent on the old node', () => {
  it('drains through the agent, under the PDB, and terminates the old instance after its answer', async () => {
    // Real time on the sim's clock: the agent compares the drain deadline with its own clock.
    const w = await SwitchWorld.start({ startMs: Date.now(), commander: (clock) => grpcCommander(hub.registry, clock) });
    let agent: AgentHandle | undefined;
    try {
      const old = w.node('spot');
      w.node('spot');
      await w.boot({
        deployments: [{ name: 'web', replicas: 4, cpu: '250m', pdb: { maxUnavailable: 1 }, terminationGracePeriodSeconds: 5 }],
      });
      expect(w.pods('web').filter((p) => p.spec.nodeName === old.privateDnsName).length).toBeGreaterThanOrEqual(1);
      agent = await startAgent({
        hubAddress: `127.0.0.1:${hub.gateway.boundPort}`,
        node: old.privateDnsName,
        cluster: 'prod',
        env: { BALLAST_KUBECONFIG: w.kube.get('prod')?.kubeconfigPath as string },
      });
      await waitFor(
        'the agent stream',
        () => hub.registry.commandChannel({ tenant: 'default', cluster: 'prod', node: old.privateDnsName }) !== undefined,
      );
      let worst = 0;
      const off = w.kube.get('prod')?.store.subscribe(R.pods, () => {
        worst = Math.max(worst, 4 - w.pods('web').filter(healthy).length);
      });
      const id = await w.submitSwitch({
        clusterId: 'prod',
        instanceId: old.id,
        to: { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'on-demand' },
        reason: 'agent drain',
      });
      const done = await w.driveJob(id, ['succeeded', 'failed'], 1_000, 90_000);
      off?.();
      expect(done.status).toBe('succeeded');
      const drain = done.steps.find((s) => s.name === 'drain');
      expect(drain?.effect.via).toBe('agent');
      expect(drain?.message).toMatch(new RegExp(`^agent drained ${old.privateDnsName}: \\d+ evicted`));
      expect(worst).toBeLessThanOrEqual(1);
      expect(w.kube.get('prod')?.stats.podsLost).toBe(0);
      expect(w.sim.fleet.list().filter((i) => i.tags[SWITCH_TAGS.replaces] === old.id)).toHaveLength(1);
      expect(['shutting-down', 'terminated']).toContain(w.sim.fleet.get(old.id)?.state);
      const audit = (await w.request('GET', '/api/v1/audit?action=switch.drain')).json().entries;
      expect(audit[0].details.via).toBe('agent');
    } finally {
      await agent?.stop();
      await w.close();
    }
  });
});

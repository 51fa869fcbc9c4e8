import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_TAG, Fleet } from '../../src/core/fleet.ts';
import type { SimClock } from '../../src/core/sim-clock.ts';
import { type KubeApiServer, type KubeApiServerOptions, settleKube as settle, startKubeApiServer } from '../../src/kube/index.ts';
import { R } from '../../src/kube/resources.ts';
import type { Node, Pod } from '../../src/kube/types.ts';

export interface TestCluster {
  server: KubeApiServer;
  fleet: Fleet;
  clock: SimClock;
  nodes(): Node[];
  pods(namespace?: string): Pod[];
  close(): Promise<void>;
}

/** A fleet plus its cluster's API server, with `nodes` instances already registered. */
export async function startTestCluster(
  clock: SimClock,
  nodes: number,
  extra: Partial<KubeApiServerOptions> = {},
  instanceType = 'm5.xlarge',
): Promise<TestCluster> {
  const fleet = new Fleet(clock, { bootDelayMs: 1_000, shutdownDelayMs: 1_000 });
  const server = await startKubeApiServer({ fleet, clock, clusterName: 'test', ...extra });
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  for (let i = 0; i < nodes; i++) {
    fleet.launch({
      instanceType,
      availabilityZone: zones[i % 3] as string,
      capacityType: 'spot',
      imageId: 'ami-1',
      tags: { [CLUSTER_TAG]: 'test' },
    });
  }
  const manual = clock as { advance?: (ms: number) => Promise<void> };
  if (manual.advance) await manual.advance(1_000);
  await until(() => server.store.count(R.nodes) === nodes, 10_000);
  return {
    server,
    fleet,
    clock,
    nodes: () => server.store.list(R.nodes) as Node[],
    pods: (ns) => server.store.list(R.pods, ns) as Pod[],
    close: () => server.close(),
  };
}

/** Polls a condition in real time (the controllers work on event-loop turns). */
export async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export { settle };

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

const cacheDir = mkdtempSync(join(tmpdir(), 'ballast-kubectl-cache-'));

/** Runs the real kubectl asynchronously (a synchronous spawn would block the server in this process). */
export function kubectl(kubeconfig: string, args: string[], timeoutMs = 60_000): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      { encoding: 'utf8', timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

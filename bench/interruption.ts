/**
 * Interruption handling with real parts: for each run a simulated node with workloads, the
 * real agent process (default 1 s IMDS poll), a spot notice from the sim's IMDS, and the
 * timings read from the sim's API server: notice → cordon, notice → every eviction accepted.
 * Then one 110-pod node (grace 30 s, permissive PDBs) drained at speed 1, and one node whose
 * PDB blocks, to check the block is named before the deadline and nothing protected is lost.
 * Writes bench/results/interruption.json (unless --no-write).
 *
 * The agent runs as it ships: the esbuild bundle under plain node with the DaemonSet's V8
 * flags (agent/scripts/build.ts), as in bench:agent. Its Kubernetes client is a chunk loaded at
 * the first cordon (about 0.15 s, inside these timings); under tsx the same load compiles some
 * thousand modules on the fly (over a second), which no shipped agent pays.
 *
 *   npm run bench:interruption -- [--runs 50] [--runtime bundle|tsx] [--no-write]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kubeResources as R } from '@ballast/sim';
import { type AgentOptions, InterruptionScenario, startHub, tempDir, waitFor } from '@ballast/testkit';
import { AGENT_NODE_FLAGS, buildAgent } from '../agent/scripts/build.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    runtime: { type: 'string', default: 'bundle' },
    'no-write': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const RUNTIME = args.runtime === 'tsx' ? 'tsx' : 'bundle';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const round = (v: number) => Math.round(v);

async function main(): Promise<void> {
  const agentBundle: AgentOptions['bundle'] = RUNTIME === 'bundle' ? { path: await buildAgent(), nodeFlags: AGENT_NODE_FLAGS } : undefined;
  const dir = tempDir('bench-interruption');
  const hub = await startHub({ dataDir: dir.path });
  const cordon: number[] = [];
  const evictions: number[] = [];
  const accepted: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const s = await InterruptionScenario.start({
        speed: 1,
        hubAddress: hub.grpcAddress,
        spareNodes: 1,
        workloads: {
          daemonSet: { name: 'node-exporter' },
          deployments: [
            { name: 'web', replicas: 10, cpu: '100m', pdb: { maxUnavailable: '50%' } },
            { name: 'api', replicas: 4, cpu: '100m', pdb: { maxUnavailable: 1 } },
          ],
        },
        agentBundle,
      });
      try {
        // Let the agent's monitors settle into their polling rhythm, as on a running node.
        await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 1_000));
        const t = await s.interrupt();
        cordon.push(t.noticeToCordonMs);
        evictions.push(t.noticeToAllEvictionsMs);
        accepted.push(t.noticeToAllAcceptedMs);
        process.stdout.write(
          `run ${i + 1}: cordon ${round(t.noticeToCordonMs)} ms, all evictions issued ${round(t.noticeToAllEvictionsMs)} ms, accepted ${round(t.noticeToAllAcceptedMs)} ms\n`,
        );
      } finally {
        await s.close();
      }
    }

    // 110 pods, grace 30 s, budgets that allow it: how long until the node is empty.
    const big = await InterruptionScenario.start({
      speed: 1,
      hubAddress: hub.grpcAddress,
      spareNodes: 2,
      instanceType: 'm5.16xlarge',
      workloads: {
        deployments: Array.from({ length: 11 }, (_, k) => ({
          name: `svc-${k}`,
          replicas: 10,
          cpu: '50m',
          memory: '64Mi',
          terminationGracePeriodSeconds: 30,
          pdb: { maxUnavailable: '50%' },
        })),
      },
      agentBundle,
    });
    let drain110: number;
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      const t0 = performance.now();
      const t = await big.interrupt(60_000);
      await waitFor('110 pods gone', () => big.evictablePods().length === 0, 90_000);
      drain110 = (performance.now() - t0) / 1000;
      process.stdout.write(
        `110-pod drain: ${t.evictedPods} pods, all evictions accepted after ${round(t.noticeToAllEvictionsMs)} ms, node empty after ${drain110.toFixed(1)} s; pods lost ${big.server.stats.podsLost}\n`,
      );
    } finally {
      await big.close();
    }

    // A budget that allows nothing: the agent must name it before the deadline and lose no protected pod.
    // Speed 1: the agent's deadline arithmetic runs on its own wall clock, as on a real node.
    const blocked = await InterruptionScenario.start({
      speed: 1,
      hubAddress: hub.grpcAddress,
      spareNodes: 1,
      workloads: { deployments: [{ name: 'ledger', replicas: 2, cpu: '100m', pdb: { maxUnavailable: 0 } }] },
      agentBundle,
    });
    let namedBeforeDeadline = false;
    let protectedDeleted = 0;
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      const deadline = () => blocked.fleet.get(blocked.instance.id)?.interruption?.actionAtMs ?? Number.POSITIVE_INFINITY;
      blocked.fleet.interrupt(blocked.instance.id);
      const ev = await waitFor(
        'DrainBlocked event',
        () => blocked.server.store.list(R.events).find((e) => (e as { reason?: string }).reason === 'DrainBlocked'),
        130_000,
      ).catch(() => undefined);
      namedBeforeDeadline = Boolean(ev) && blocked.clock.now() < deadline() && /ledger/.test(String((ev as { message?: string })?.message));
      await waitFor('terminated', () => blocked.fleet.get(blocked.instance.id)?.state === 'terminated', 150_000);
      protectedDeleted = blocked.server.stats.evictions;
    } finally {
      await blocked.close();
    }

    const result = {
      notice_to_cordon_p99_ms: round(percentile(cordon, 99)),
      notice_to_cordon_p50_ms: round(percentile(cordon, 50)),
      notice_to_all_evictions_p99_ms: round(percentile(evictions, 99)),
      notice_to_all_evictions_p50_ms: round(percentile(evictions, 50)),
      notice_to_all_evictions_accepted_p99_ms: round(percentile(accepted, 99)),
      drain_110_pods_s: Math.round(drain110 * 10) / 10,
      pdb_block_named_before_deadline: namedBeforeDeadline,
      protected_pods_evicted: protectedDeleted,
      runs: RUNS,
      agent_runtime: RUNTIME,
      imds_poll_interval_ms: 1000,
      cpu_cores: (await import('node:os')).cpus().length,
      node: process.version,
      measured_at: new Date().toISOString(),
    };
    if (!args['no-write']) writeFileSync(new URL('./results/interruption.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await hub.process.stop();
    dir.remove();
  }
}

await main();
process.exit(0);

/**
 * Agent footprint beside Debian's prometheus-node-exporter, in the same run: the agent
 * collects a 110-pod cgroup tree (plus node metrics) every 10 s and streams to a real hub;
 * node_exporter is scraped every 10 s. CPU comes from /proc for both processes.
 * Writes bench/results/agent.json (unless --no-write).
 *
 * Pod names come from a pod watch, as in a cluster: the simulator's kube-apiserver (in this
 * process) holds the tree's 110 pods with their containers' runtime ids, so the agent labels
 * series with pod names and skips the pods' sandbox cgroups (`--pod-metadata off`: no watch;
 * every cgroup is read, sandboxes included, as nothing else tells them apart).
 *
 * The agent runs as it ships: the esbuild bundle (agent/scripts/build.ts, built first) under
 * plain `node` with the DaemonSet's V8 flags. `--runtime tsx` runs the TypeScript sources
 * instead (development mode); `--node-flags ''` drops the flags.
 *
 *   npm run bench:agent -- [--seconds 300] [--pods 110] [--cgroup 2] [--runtime bundle|tsx] [--node-flags '...']
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Fleet, type KubeApiServer, ManualClock, startKubeApiServer } from '@ballast/sim';
import { freePort, startHub, startNodeProcess, startTsProcess, type TestProcess, tempDir, waitFor } from '@ballast/testkit';
import * as k8s from '@kubernetes/client-node';
import { AGENT_NODE_FLAGS, buildAgent } from '../agent/scripts/build.ts';
import { type GeneratedPod, makeCgroupTree } from '../agent/test/fixtures/make-cgroup-tree.ts';
import { cpuSeconds, rssMiB } from './proc-stats.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    pods: { type: 'string', default: '110' },
    cgroup: { type: 'string', default: '2' },
    'warmup-seconds': { type: 'string', default: '30' },
    runtime: { type: 'string', default: 'bundle' },
    'node-flags': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'pod-metadata': { type: 'string', default: 'on' },
    /** Bundle another entry point than agent/src/main.ts (experiments only). */
    'agent-entry': { type: 'string' },
    /** Extra agent environment, KEY=VALUE, repeatable (experiments; the committed result uses none). */
    'agent-env': { type: 'string', multiple: true, default: [] },
    /** Write the agent's output (its log, or --trace-gc lines) to this file at the end. */
    'agent-output': { type: 'string' },
  },
});
const RUNTIME = args.runtime === 'tsx' ? 'tsx' : 'bundle';
const NODE_FLAGS = args['node-flags'] !== undefined ? args['node-flags'].split(/\s+/).filter(Boolean) : AGENT_NODE_FLAGS;
const SECONDS = Number(args.seconds);
const INTERVAL_S = 10;
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

async function main(): Promise<void> {
  const tree = makeCgroupTree({ version: Number(args.cgroup) as 1 | 2, pods: Number(args.pods), seed: 1 });
  const dir = tempDir('bench-agent');
  const hub = await startHub({ dataDir: dir.path });
  const kube = args['pod-metadata'] === 'off' ? null : await startPodApi(tree.root, tree.pods);
  const env = {
    BALLAST_HUB_ADDRESS: hub.grpcAddress,
    NODE_NAME: 'bench-node',
    BALLAST_CLUSTER: 'bench',
    BALLAST_COLLECT_INTERVAL_MS: String(INTERVAL_S * 1000),
    BALLAST_CGROUP_ROOT: tree.root,
    BALLAST_POD_METADATA: kube ? 'kube' : 'off',
    BALLAST_KUBECONFIG: kube?.kubeconfigPath ?? '',
    BALLAST_IMDS_ENDPOINT: 'off',
    BALLAST_STATUS_PORT: '0',
    BALLAST_BUFFER_DIR: `${dir.path}/buffer`,
    ...Object.fromEntries(args['agent-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  };
  const agent = RUNTIME === 'tsx' ? startTsProcess('agent', 'agent/src/main.ts', env) : await startBundle(env);
  const nePort = await freePort();
  const ne = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' });
  let scrapes = 0;
  let scrapeTimer: ReturnType<typeof setInterval> | null = null;
  try {
    const started = await agent.waitForLog((l) => l.msg === 'agent started', 60_000);
    await waitFor('node_exporter up', async () => (await fetch(`http://127.0.0.1:${nePort}/metrics`)).ok, 20_000);
    const statusPort = Number(started.statusPort);
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${nePort}/metrics`);
      await res.text();
      scrapes += 1;
    };
    scrapeTimer = setInterval(() => void scrape().catch(() => undefined), INTERVAL_S * 1000);
    await new Promise((r) => setTimeout(r, Number(args['warmup-seconds']) * 1000));

    const agentPid = agent.pid;
    const nePid = ne.pid as number;
    const a0 = cpuSeconds(agentPid);
    const split0 = cpuSplit(agentPid);
    const n0 = cpuSeconds(nePid);
    const scrapes0 = scrapes;
    const t0 = performance.now();
    let agentRssPeak = 0;
    let neRssPeak = 0;
    // Agent CPU per interval-long window, to tell a steady cost from spikes.
    const windows: number[] = [];
    let windowStart = a0;
    let ticks = 0;
    const sampler = setInterval(() => {
      agentRssPeak = Math.max(agentRssPeak, rssMiB(agentPid));
      neRssPeak = Math.max(neRssPeak, rssMiB(nePid));
      if (++ticks % INTERVAL_S === 0) {
        const now = cpuSeconds(agentPid);
        windows.push(Math.round((now - windowStart) * 1000));
        windowStart = now;
      }
    }, 1_000);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;
    const agentCpu = cpuSeconds(agentPid) - a0;
    const split1 = cpuSplit(agentPid);
    const neCpu = cpuSeconds(nePid) - n0;
    const cycles = elapsed / INTERVAL_S;
    const neScrapes = scrapes - scrapes0;
    const status = await agentStatus(statusPort);
    const series = status['ballast_agent_series'] ?? 0;
    const result = {
      agent_cpu_millicores: round((agentCpu / elapsed) * 1000, 2),
      agent_rss_mib: round(agentRssPeak, 1),
      node_exporter_cpu_millicores: round((neCpu / elapsed) * 1000, 2),
      node_exporter_rss_mib: round(neRssPeak, 1),
      cpu_per_cycle_ratio: round(agentCpu / cycles / (neCpu / Math.max(1, neScrapes)), 3),
      agent_runtime: RUNTIME,
      ...(args['agent-entry'] ? { agent_entry: args['agent-entry'] } : {}),
      agent_node_flags: RUNTIME === 'bundle' ? NODE_FLAGS.join(' ') : '',
      agent_cpu_ms_per_cycle: round((agentCpu / cycles) * 1000, 2),
      agent_user_ms_per_cycle: round(((split1.user - split0.user) / cycles) * 1000, 2),
      agent_system_ms_per_cycle: round(((split1.system - split0.system) / cycles) * 1000, 2),
      agent_cpu_ms_per_window: windows,
      node_exporter_cpu_ms_per_scrape: round((neCpu / Math.max(1, neScrapes)) * 1000, 2),
      pods: tree.pods.length,
      pod_metadata: kube ? 'watch' : 'off',
      containers: tree.containerCount(),
      cgroup_version: tree.version,
      series_per_cycle: series,
      agent_heap_used_mib: round((status['nodejs_heap_used_bytes'] ?? 0) / 1024 / 1024, 1),
      agent_heap_total_mib: round((status['nodejs_heap_total_bytes'] ?? 0) / 1024 / 1024, 1),
      agent_external_mib: round((status['nodejs_external_memory_bytes'] ?? 0) / 1024 / 1024, 1),
      interval_s: INTERVAL_S,
      duration_s: Math.round(elapsed),
      node_exporter_scrapes: neScrapes,
      cpu_cores: (await import('node:os')).cpus().length,
      node: process.version,
      measured_at: new Date().toISOString(),
    };
    if (!args['no-write']) writeFileSync(new URL('./results/agent.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (scrapeTimer) clearInterval(scrapeTimer);
    ne.kill('SIGTERM');
    await agent.stop();
    if (args['agent-output']) writeFileSync(args['agent-output'], `${agent.output.join('\n')}\n`);
    await hub.process.stop();
    await kube?.close();
    tree.cleanup();
    dir.remove();
  }
}

/**
 * The simulator's kube-apiserver with the tree's pods on bench-node, each pod's status listing
 * its containers' runtime ids (not the sandbox's), as the kubelet writes them.
 */
async function startPodApi(root: string, pods: GeneratedPod[]): Promise<KubeApiServer> {
  const clock = new ManualClock(Date.now());
  const server = await startKubeApiServer({
    fleet: new Fleet(clock, { bootDelayMs: 1_000, shutdownDelayMs: 1_000 }),
    clock,
    clusterName: 'bench',
    // About what a real apiserver sends; the default is for tests.
    bookmarkIntervalMs: 60_000,
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const [i, p] of pods.entries()) {
    const workload = p.containers.filter((c) => !c.sandbox);
    const name = `app-${i}`;
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name, uid: p.uid, labels: { app: `app-${i % 20}` } },
        spec: { nodeName: 'bench-node', containers: workload.map((_c, j) => ({ name: `c${j}`, image: 'x' })) },
      },
    });
    created.status = {
      phase: 'Running',
      containerStatuses: workload.map((c, j) => ({
        name: `c${j}`,
        image: 'x',
        imageID: '',
        ready: true,
        restartCount: 0,
        containerID: `containerd://${c.id}`,
      })),
    };
    await core.replaceNamespacedPodStatus({ name, namespace: 'default', body: created });
    // The apiserver picks uids: give the pod's cgroups the one it picked.
    renamePodCgroups(root, p.uid, created.metadata?.uid as string);
    p.uid = created.metadata?.uid as string;
  }
  return server;
}

/** Renames the pod cgroup directories named after uid `from` (in every hierarchy) to uid `to`. */
function renamePodCgroups(root: string, from: string, to: string): void {
  const visit = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      for (const [a, b] of [
        [from, to],
        [from.replaceAll('-', '_'), to.replaceAll('-', '_')],
      ] as const) {
        if (e.name.includes(a)) {
          renameSync(path, join(dir, e.name.replace(a, b)));
          return;
        }
      }
      if (depth < 4) visit(path, depth + 1);
    }
  };
  visit(root, 0);
}

/** Builds the bundle and runs it as the DaemonSet does: plain node, no loader. */
async function startBundle(env: Record<string, string>): Promise<TestProcess> {
  return startNodeProcess('agent', await buildAgent({ entry: args['agent-entry'] }), NODE_FLAGS, env);
}

/** User and system CPU seconds apart (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSplit(pid: number): { user: number; system: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 };
}

/** The agent's own /metrics (ballast_agent_series: distinct series, one point each per collection). */
async function agentStatus(statusPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^([a-z_]+) (\S+)$/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

await main();
process.exit(0);

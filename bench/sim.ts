/**
 * Simulator footprint: a 200-node cluster with ~3,000 pods at speed 1, under the load a
 * real fleet of agents would put on it (each node polls its IMDS every second with a
 * token and watches its own pods). The simulator runs as its own process; we sample its
 * CPU from /proc. Writes bench/results/sim.json.
 *
 *   npm run bench:sim -- [--nodes 200] [--pods-per-node 14] [--seconds 60]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTsProcess, tempDir, waitFor } from '@ballast/testkit';
import { cpuSeconds, rssMiB } from './proc-stats.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '200' },
    'pods-per-node': { type: 'string', default: '14' },
    seconds: { type: 'string', default: '60' },
  },
});
const NODES = Number(args.nodes);
const SECONDS = Number(args.seconds);

interface Endpoints {
  ec2: string;
  clusters: Array<{ name: string; url: string }>;
  imds: Record<string, string>;
}

async function countPods(url: string): Promise<{ total: number; running: number }> {
  const body = (await (await fetch(`${url}/api/v1/pods`)).json()) as { items: Array<{ status?: { phase?: string } }> };
  return { total: body.items.length, running: body.items.filter((p) => p.status?.phase === 'Running').length };
}

async function main(): Promise<void> {
  const dir = tempDir('bench-sim');
  const endpointsFile = join(dir.path, 'endpoints.json');
  const sim = startTsProcess('sim', 'sim/src/main.ts', {}, [
    '--nodes',
    String(NODES),
    '--clusters',
    '1',
    '--speed',
    '1',
    '--seed',
    '7',
    '--pods-per-node',
    String(args['pods-per-node']),
    '--endpoints-file',
    endpointsFile,
  ]);
  const stopped = { done: false };
  const load: Promise<void>[] = [];
  let imdsRequests = 0;
  let watchEvents = 0;
  try {
    const endpoints = await waitFor(
      'endpoints file',
      () => {
        try {
          return JSON.parse(readFileSync(endpointsFile, 'utf8')) as Endpoints;
        } catch {
          return undefined;
        }
      },
      60_000,
      () => sim.tail(),
    );
    const cluster = endpoints.clusters[0] as { url: string };
    const pods = await waitFor(
      'pods scheduled',
      async () => {
        const p = await countPods(cluster.url);
        return p.running > 0 && p.running === (await countPods(cluster.url)).running ? p : undefined;
      },
      60_000,
    );
    const nodes = (await (await fetch(`${cluster.url}/api/v1/nodes`)).json()) as { items: Array<{ metadata: { name: string } }> };

    // One watcher per node, as each agent watches its own pods.
    for (const n of nodes.items) {
      const controller = new AbortController();
      load.push(
        (async () => {
          const res = await fetch(`${cluster.url}/api/v1/pods?watch=true&fieldSelector=spec.nodeName=${n.metadata.name}`, {
            signal: controller.signal,
          });
          const reader = res.body?.getReader();
          while (reader && !stopped.done) {
            const { done } = await reader.read();
            if (done) break;
            watchEvents += 1;
          }
          controller.abort();
        })().catch(() => undefined),
      );
    }
    // One IMDS poller per node: a token, then the spot notice path every second, like an agent's monitor.
    for (const endpoint of Object.values(endpoints.imds)) {
      load.push(
        (async () => {
          const token = await (
            await fetch(`${endpoint}/latest/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' } })
          ).text();
          while (!stopped.done) {
            const res = await fetch(`${endpoint}/latest/meta-data/spot/instance-action`, {
              headers: { 'X-aws-ec2-metadata-token': token },
            });
            await res.arrayBuffer();
            imdsRequests += 1;
            await new Promise((r) => setTimeout(r, 1_000));
          }
        })().catch(() => undefined),
      );
    }

    await new Promise((r) => setTimeout(r, 3_000)); // settle the load
    const cpu0 = cpuSeconds(sim.pid);
    const t0 = performance.now();
    const imds0 = imdsRequests;
    let rssPeak = 0;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMiB(sim.pid));
    }, 1_000);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;
    const cores = (cpuSeconds(sim.pid) - cpu0) / elapsed;
    const after = await countPods(cluster.url);
    const result = {
      sim_cpu_cores_avg: Math.round(cores * 1000) / 1000,
      sim_rss_mib_peak: Math.round(rssPeak),
      nodes: nodes.items.length,
      pods: after.total,
      pods_running: after.running,
      pods_at_start: pods.total,
      speed: 1,
      duration_s: Math.round(elapsed),
      imds_requests_per_s: Math.round((imdsRequests - imds0) / elapsed),
      pod_watches: nodes.items.length,
      watch_chunks: watchEvents,
      cpu_cores: (await import('node:os')).cpus().length,
      node: process.version,
      measured_at: new Date().toISOString(),
    };
    writeFileSync(new URL('./results/sim.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    stopped.done = true;
    await sim.stop();
    await Promise.race([Promise.all(load), new Promise((r) => setTimeout(r, 3_000))]);
    dir.remove();
  }
}

await main();
process.exit(0);

/**
 * API benchmark (issue 8), against the real hub: the Hub class in a process of its own
 * (bench/api/hub-server.ts), wired as `main` wires it (sign-in, rate limit, request logs,
 * every plane), its cloud on the simulator's EC2 endpoint, 500 nodes' agents in its registry
 * and a day of fleet history in its chDB. From this process, on loopback:
 *  - the fleet metrics endpoints the console's Live Operations page polls, by 50 console
 *    users (autocannon, one viewer API token each, keep-alive, bounded duration): requests/s
 *    and p99 over the page's endpoints in turn with every user asking as fast as the hub
 *    answers (the headline figures), then polling as the page does (each user every 10 s,
 *    open loop), then each fleet endpoint on its own;
 *  - the live stream: 50 SSE subscribers (as the console's EventSource), interruption notices
 *    published on the hub's bus at a steady rate; publish → delivery time of every delivery.
 * Writes bench/results/api.json. Targets: metrics p99 ≤ 100 ms, stream p99 ≤ 250 ms.
 *
 *   npm run bench:api -- [--nodes 500] [--users 50] [--seconds 20] [--per-endpoint 5]
 *                        [--poll-seconds 30] [--poll-interval-ms 10000]
 *                        [--subscribers 50] [--events 2000] [--rate 200] [--profile DIR]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SHARED_DATA_DIR, seedMigratedPglite, startSimEc2, tempDir } from '@ballast/testkit';
import { percentile } from './agent-load.ts';
import { pollAsConsoleUsers } from './api/console-users.ts';
import { HubChild } from './api/hub-child.ts';
import { type EndpointLoad, loadEndpoints } from './api/load.ts';
import { seedNodes } from './api/seed-nodes.ts';
import { openSubscribers } from './api/sse-subscribers.ts';
import { viewerTokens } from './api/viewer-tokens.ts';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '500' },
    users: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    'per-endpoint': { type: 'string', default: '5' },
    subscribers: { type: 'string', default: '50' },
    events: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
    // The page's own polling: each user asks for its endpoints every poll-interval-ms, for poll-seconds.
    'poll-seconds': { type: 'string', default: '30' },
    'poll-interval-ms': { type: 'string', default: '10000' },
    // Writes the hub's V8 CPU profiles of the metrics and stream phases here (summarize with bench/profile-summary.ts).
    profile: { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/api.json', import.meta.url)) },
  },
});
const NODES = Number(args.nodes);
const USERS = Number(args.users);
const SECONDS = Number(args.seconds);
const PER_ENDPOINT_SECONDS = Number(args['per-endpoint']);
const POLL_SECONDS = Number(args['poll-seconds']);
const POLL_INTERVAL_MS = Number(args['poll-interval-ms']);
const SUBSCRIBERS = Number(args.subscribers);
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const TENANT = 'acme';
const CLUSTERS = 10;
const ADMIN = { username: 'admin', password: 'bench-api-admin-password' };
// Far above what the bench asks of one user, so nobody is refused; the limiter still runs on every request.
const API_RATE_PER_MINUTE = 10_000_000;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const log = (msg: string) => process.stdout.write(`[bench:api ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const dataFile = (name: string) => fileURLToPath(new URL(name, SHARED_DATA_DIR));
const loadBefore = os.loadavg();

const dir = tempDir('bench-api');
mkdirSync(join(dir.path, 'console'));
writeFileSync(join(dir.path, 'console', 'index.html'), '<!doctype html><title>Ballast</title>');
await seedMigratedPglite(join(dir.path, 'metadata'));
// The built-in price model at today's time: the hub runs on the system clock, as in production, and needs fresh prices.
const sim = await startSimEc2({ catalog: 'built-in', prices: false, startMs: Date.now() });
let hub: HubChild | null = null;
try {
  log(`choosing ${NODES} nodes over the catalog's priced pools; seeding a day of history`);
  const nodesFile = join(dir.path, 'nodes.json');
  const nodes = await seedNodes({ sim, onDemandFile: dataFile('instance_types.csv'), tenant: TENANT, clusters: CLUSTERS, count: NODES });
  writeFileSync(nodesFile, JSON.stringify(nodes));
  await runSeedHistory(join(dir.path, 'chdb'), nodesFile, Date.now());

  log('starting the hub');
  hub = HubChild.start({
    dataDir: dir.path,
    simUrl: sim.url,
    onDemandPricesFile: dataFile('instance_types.csv'),
    adminUser: ADMIN.username,
    adminPassword: ADMIN.password,
    apiRatePerMinute: API_RATE_PER_MINUTE,
    nodesFile,
    seed: { tenant: TENANT, clusters: CLUSTERS, nodes: NODES, decisions: 30 },
  });
  const ready = await hub.next('ready', 180_000);
  const base = `http://127.0.0.1:${ready.port}`;
  const clock = await hub.clockOffset();
  log(
    `hub on ${base} (pid ${hub.pid}); its clock reads ${round(clock.hubAheadMs, 3)} ms ahead (round trip ${round(clock.roundTripMs, 3)} ms)`,
  );
  const tokens = await viewerTokens(base, ADMIN, TENANT, USERS);

  const livePaths = [
    '/api/v1/metrics/active-instances',
    '/api/v1/metrics/risk-detected',
    '/api/v1/metrics/cost-savings',
    '/api/v1/metrics/optimizations',
    '/api/v1/metrics/optimization-rate',
    '/api/v1/pipeline/funnel?hours=24',
    '/api/v1/pipeline/status',
  ];
  const otherPaths = [
    `/api/v1/clients/${TENANT}/topology`,
    `/api/v1/clients/${TENANT}/savings-overview?mode=cluster`,
    `/api/v1/instances/${nodes[7]?.instanceId}/alternatives`,
  ];
  const answers: Record<string, unknown> = {};
  for (const p of [...livePaths, ...otherPaths]) {
    const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${p} answered ${res.status}: ${body}`);
    answers[p] = JSON.parse(body);
  }
  const active = answers['/api/v1/metrics/active-instances'] as { total?: number };
  log(`every endpoint answers 200; active instances: ${JSON.stringify(active).slice(0, 160)}`);

  log(`fleet metrics: ${USERS} users for ${SECONDS} s over the Live Operations page's ${livePaths.length} endpoints`);
  hub.send({ type: 'stats-reset' });
  if (args.profile) hub.send({ type: 'profile-start' });
  const mixed = await loadEndpoints(base, livePaths, tokens, USERS, SECONDS);
  hub.send({ type: 'stats' });
  const mixedServer = (await hub.next('stats')).stats;
  if (args.profile) await profileStop(hub, join(args.profile, 'hub-metrics.cpuprofile'));
  log(
    `  ${mixed.rps} req/s, p50 ${mixed.p50_ms} ms, p99 ${mixed.p99_ms} ms, max ${mixed.max_ms} ms; ${mixed.non2xx} non-2xx, ${mixed.errors} errors`,
  );

  // What the people with the page open ask for: its 7 requests every 2 × the console's refresh (10 s by default).
  log(
    `polling: ${USERS} users, each asking for the page's ${livePaths.length} endpoints every ${POLL_INTERVAL_MS} ms, for ${POLL_SECONDS} s`,
  );
  const polling = await pollAsConsoleUsers(base, livePaths, tokens, { users: USERS, intervalMs: POLL_INTERVAL_MS, seconds: POLL_SECONDS });
  log(
    `  ${polling.requests} requests (${polling.rps} req/s), p50 ${polling.p50_ms} ms, p99 ${polling.p99_ms} ms, max ${polling.max_ms} ms; failures ${JSON.stringify(polling.failures)}`,
  );

  const perEndpoint: Record<string, EndpointLoad> = {};
  if (PER_ENDPOINT_SECONDS > 0) {
    for (const p of [...livePaths, ...otherPaths]) {
      perEndpoint[p] = await loadEndpoints(base, [p], tokens, USERS, PER_ENDPOINT_SECONDS);
      const e = perEndpoint[p];
      log(`  ${p}: ${e.rps} req/s, p99 ${e.p99_ms} ms${e.non2xx + e.errors > 0 ? `, ${e.non2xx} non-2xx, ${e.errors} errors` : ''}`);
    }
  }

  log(`stream: ${SUBSCRIBERS} SSE subscribers, ${EVENTS} interruption notices at ${RATE}/s`);
  const subs = await openSubscribers(base, tokens, SUBSCRIBERS, clock.hubAheadMs);
  hub.send({ type: 'stats' });
  const subscribed = (await hub.next('stats')).streamSubscribers;
  hub.send({ type: 'stats-reset' });
  if (args.profile) hub.send({ type: 'profile-start' });
  const published = hub.next('published', 60_000 + (EVENTS / RATE) * 2000);
  hub.send({ type: 'publish', events: EVENTS, ratePerSecond: RATE, tenant: TENANT, cluster: 'cluster-0' });
  const { lateMsMax } = await published;
  const expected = EVENTS * SUBSCRIBERS;
  const deadline = performance.now() + 30_000;
  while (subs.delaysMs.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  hub.send({ type: 'stats' });
  const streamServer = (await hub.next('stats')).stats;
  if (args.profile) await profileStop(hub, join(args.profile, 'hub-stream.cpuprofile'));
  subs.close();
  const sorted = [...subs.delaysMs].sort((a, b) => a - b);
  const streamP99 = percentile(sorted, 99);
  const fromDue = [...subs.fromDueMs].sort((a, b) => a - b);
  log(
    `  ${sorted.length}/${expected} deliveries to ${subscribed} subscribers, p50 ${round(percentile(sorted, 50), 2)} ms, ` +
      `p99 ${round(streamP99, 2)} ms, max ${round(sorted.at(-1) ?? Number.NaN, 2)} ms; from due time p99 ${round(percentile(fromDue, 99), 2)} ms` +
      (subs.anomalies.length > 0 ? `; ${subs.anomalies.length} anomalies: ${subs.anomalies.slice(0, 3).join(' | ')}` : ''),
  );

  const targets = { metrics_p99_ms: 100, stream_p99_ms: 250 };
  const result = {
    metrics_rps: mixed.rps,
    metrics_p99_ms: mixed.p99_ms,
    stream_p99_ms: round(streamP99, 2),
    nodes: NODES,
    users: USERS,
    met: {
      metrics_p99: mixed.p99_ms <= targets.metrics_p99_ms && mixed.non2xx + mixed.errors + mixed.timeouts === 0,
      stream_p99: streamP99 <= targets.stream_p99_ms && sorted.length === expected,
      console_polling_p99: polling.p99_ms <= targets.metrics_p99_ms && Object.keys(polling.failures).length === 0,
    },
    targets,
    timestamp: new Date().toISOString(),
    details: {
      server: {
        what: 'the Hub class (hub/src/hub.ts) in its own process, configured from HUB_CONFIG defaults as hub/src/main.ts does',
        cloud: 'aws SDK → simulator EC2 (built-in price model at the current time)',
        stores: 'chDB (embedded) + PGlite (embedded)',
        log_level: 'info (request logs written to a discarded stdout)',
        api_rate_per_minute: API_RATE_PER_MINUTE,
        auth: `${tokens.length} viewer API tokens bound to client ${TENANT}, made by the admin through POST /api/v1/tokens; one per user and subscriber`,
        seeded: { clusters: CLUSTERS, registered_agents: NODES, ledger_rows: NODES * 144, events_24h: 40, decisions: 30 },
      },
      metrics: {
        endpoints: livePaths,
        seconds: SECONDS,
        ...mixed,
        hub_cpu_seconds: round(mixedServer.cpuSeconds, 2),
        hub_cpu_ms_per_request: round((mixedServer.cpuSeconds * 1000) / Math.max(1, mixed.requests), 2),
        hub_event_loop_delay_p99_ms: round(mixedServer.eventLoopDelayP99Ms, 1),
        hub_event_loop_delay_max_ms: round(mixedServer.eventLoopDelayMaxMs, 1),
        hub_rss_mib: round(mixedServer.rssMiB),
        console_polling: { users: USERS, interval_ms: POLL_INTERVAL_MS, seconds: POLL_SECONDS, ...polling },
        per_endpoint_seconds: PER_ENDPOINT_SECONDS,
        per_endpoint: perEndpoint,
      },
      stream: {
        transport: 'sse',
        subscribers: subscribed,
        events: EVENTS,
        rate_per_s: RATE,
        deliveries: sorted.length,
        expected_deliveries: expected,
        min_per_subscriber: Math.min(...subs.received),
        p50_ms: round(percentile(sorted, 50), 2),
        p90_ms: round(percentile(sorted, 90), 2),
        max_ms: round(sorted.at(-1) ?? Number.NaN, 2),
        from_due_p50_ms: round(percentile(fromDue, 50), 2),
        from_due_p99_ms: round(percentile(fromDue, 99), 2),
        anomalies: subs.anomalies.slice(0, 20),
        publisher_late_max_ms: round(lateMsMax, 1),
        clock_offset_ms: round(clock.hubAheadMs, 3),
        clock_round_trip_ms: round(clock.roundTripMs, 3),
        hub_cpu_seconds: round(streamServer.cpuSeconds, 2),
        hub_event_loop_delay_p99_ms: round(streamServer.eventLoopDelayP99Ms, 1),
        hub_event_loop_delay_max_ms: round(streamServer.eventLoopDelayMaxMs, 1),
      },
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? 'unknown',
        total_mem_gib: round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadavg_before: loadBefore.map((l) => round(l, 2)),
        loadavg_after: os.loadavg().map((l) => round(l, 2)),
      },
      notes:
        'hub and load generators are separate processes on one machine, loopback; the load generator (autocannon, SSE parsing) shares the cores with the hub. ' +
        'FleetMetrics caches store reads 15 s and derived answers 5 s per tenant, as in the hub, so a run sees cache refreshes under load. ' +
        'Stream delay = receipt wall time − publish wall time (sub-ms clocks of both processes, offset measured over IPC and removed). ' +
        'Events are published on the hub bus as an agent notice is (agentEventToStream), not sent by agents over gRPC; from_due_* also counts hub stalls before publishing. ' +
        'Every API request authenticates its bearer token with a PGlite query (no cache in the hub), the main per-request cost in the profile. ' +
        'Other processes share the 2 cores (see machine.loadavg_*): figures taken under load are pessimistic.',
    },
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${args.out}`);
} finally {
  await hub?.stop();
  await sim.close();
  dir.remove();
}

async function profileStop(h: HubChild, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const done = h.next('profiled');
  h.send({ type: 'profile-stop', file });
  log(`  hub profile: ${(await done).file}`);
}

async function runSeedHistory(chdbPath: string, nodesFile: string, nowMs: number): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./api/seed-history.ts', import.meta.url)), chdbPath, nodesFile, String(nowMs)],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`seeding the history exited with ${code}`);
}

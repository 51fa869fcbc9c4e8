/**
 * `npm start`: the demo on embedded defaults, no AWS account and no cluster — the fleet
 * simulator (EC2, Kubernetes API servers, IMDS, a spot market), the hub with chDB storage
 * in .data/, one real agent per simulated node, and the console on http://localhost:8080
 * (PORT overrides). Only wiring; every part reads the same flags/env vars as in production.
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, createLogger, type LogLevel, loadConfig } from '@ballast/common';
import { HUB_CONFIG, Hub } from '@ballast/hub';
import { SIM_CONFIG, SimAgentFleet, startSimulation } from '@ballast/sim';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const hubConfig = loadConfig(HUB_CONFIG, []);
  const simConfig = loadConfig(SIM_CONFIG, []);
  if (!existsSync(`${hubConfig.consoleDir}/index.html`)) {
    process.stdout.write('building the console (first start only)…\n');
    await build({ root: `${root}console`, logLevel: 'warn' });
  }
  const level = hubConfig.logLevel as LogLevel;
  // The simulator first: the hub's catalog reads prices and instance types from its EC2 endpoint.
  const simLog = createLogger('sim', level);
  const sim = await startSimulation({
    ...simConfig,
    pricesPath: simConfig.prices || undefined,
    advisorPath: simConfig.advisor || undefined,
    catalogPath: simConfig.catalog || undefined,
    bootDelayMs: simConfig.bootDelaySeconds * 1000,
    spotShare: simConfig.spotSharePercent / 100,
    log: simLog,
  });
  // Unless told otherwise, the hub's cloud is the simulated account, priced from the sim's own catalog.
  const demoCloud = hubConfig.cloud === 'off' && hubConfig.awsEndpoint === '';
  const hub = new Hub(
    demoCloud
      ? {
          ...hubConfig,
          cloud: 'aws',
          awsEndpoint: sim.ec2.url,
          spotAdvisorFile: hubConfig.spotAdvisorFile || simConfig.advisor,
          // The simulated agents carry no enrolment tokens: the demo takes every agent at its word.
          agentEnrolment: 'open',
          // The hub reaches the simulated clusters as it would real ones: one kubeconfig per cluster.
          clusterKubeconfigDir: hubConfig.clusterKubeconfigDir || simKubeconfigs(sim.clusters),
        }
      : hubConfig,
    createLogger('hub', level),
    undefined,
    demoCloud
      ? {
          onDemandPrices: Object.fromEntries(sim.market.catalog.priced().map((t) => [t.instanceType, t.onDemandUsdPerHour as number])),
          awsCredentials: { accessKeyId: 'simulator', secretAccessKey: 'simulator' },
        }
      : {},
  );
  await hub.start();
  const agents = new SimAgentFleet({
    fleet: sim.fleet,
    imds: sim.imds,
    hubAddress: `127.0.0.1:${hub.gateway.boundPort}`,
    clock: sim.clock,
    rng: sim.rng.fork('agents'),
    log: createLogger('agent', 'warn'),
    collectIntervalMs: 10_000,
    shapeOf: sim.shapeOf,
    // Each agent drains its node when the hub switches it, and on its own spot notice.
    kubeconfigOf: (c) => sim.clusters.find((k) => k.cluster.clusterName === c)?.kubeconfigPath ?? '',
    actOnNotices: true,
  });
  agents.start();
  process.stdout.write(
    [
      '',
      `Ballast is running: console on http://localhost:${hub.httpPort}  (Ctrl-C to stop)`,
      `  simulated fleet: ${simConfig.nodes} nodes in ${simConfig.clusters} clusters, EC2 endpoint ${sim.ec2.url}`,
      ...sim.clusters.map((c) => `  kubectl --kubeconfig ${c.kubeconfigPath} get nodes`),
      '',
    ].join('\n'),
  );

  const stop = async () => {
    await agents.shutdown();
    await sim.close();
    await hub.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

/** The simulated clusters' kubeconfigs as a --cluster-kubeconfig-dir (`<cluster>.yaml`, the default client). */
function simKubeconfigs(clusters: ReadonlyArray<{ kubeconfigPath: string; cluster: { clusterName: string } }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-demo-kubeconfigs-'));
  for (const c of clusters) copyFileSync(c.kubeconfigPath, join(dir, `${c.cluster.clusterName}.yaml`));
  return dir;
}

main().catch((err) => {
  process.stderr.write(`ballast: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});

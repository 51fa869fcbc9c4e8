/**
 * `npm run sim -- --nodes 50 --clusters 2 --speed 1 --seed 7 [--prices PATH --advisor PATH --catalog PATH]`
 * Starts the simulated world and prints its endpoints and kubeconfig paths.
 */
import { writeFileSync } from 'node:fs';
import { ConfigError, createLogger, describeConfig, loadConfig } from '@ballast/common';
import { SIM_CONFIG } from './sim-config.ts';
import { startSimulation } from './simulation.ts';

if (process.argv.includes('--help')) {
  process.stdout.write(`ballast simulator\n\n${describeConfig(SIM_CONFIG)}\n`);
  process.exit(0);
}

try {
  const config = loadConfig(SIM_CONFIG);
  const log = createLogger('sim', 'info');
  const sim = await startSimulation({
    ...config,
    pricesPath: config.prices || undefined,
    advisorPath: config.advisor || undefined,
    catalogPath: config.catalog || undefined,
    bootDelayMs: config.bootDelaySeconds * 1000,
    spotShare: config.spotSharePercent / 100,
    log,
  });
  await sim.imds.ready();
  const lines = [
    '',
    'Ballast simulator',
    `  EC2 endpoint     ${sim.ec2.url}   (AWS SDK: endpoint=${sim.ec2.url}, region us-east-1, any credentials)`,
    ...sim.clusters.map((c) => `  cluster ${c.cluster.clusterName.padEnd(8)} ${c.url}   kubeconfig ${c.kubeconfigPath}`),
    `  IMDS             one loopback port per instance; e.g. ${sim.fleet
      .list()
      .slice(0, 1)
      .map((i) => `${i.id} → ${sim.imds.endpointOf(i.id)}`)
      .join('')}`,
    `  virtual time     ${new Date(sim.clock.now()).toISOString()} at ${config.speed}× real time`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (config.endpointsFile) {
    // Machine-readable endpoints for tools and benchmarks (the printout above is for people).
    const endpoints = {
      ec2: sim.ec2.url,
      clusters: sim.clusters.map((c) => ({ name: c.cluster.clusterName, url: c.url, kubeconfig: c.kubeconfigPath })),
      imds: Object.fromEntries(sim.fleet.live().map((i) => [i.id, sim.imds.endpointOf(i.id)])),
    };
    writeFileSync(config.endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
  }
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (err) {
  process.stderr.write(`ballast sim: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}

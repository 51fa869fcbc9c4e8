import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@ballast/common';
import { type SimEc2, seedMigratedPglite, startSimEc2, tempDir } from '@ballast/testkit';
import type { FastifyInstance } from 'fastify';
import { authSettingsFromConfig } from '../src/auth/auth-settings.ts';
import { HUB_CONFIG, type HubConfig } from '../src/config/hub-config.ts';
import { Hub } from '../src/hub.ts';
import type { AuthHarness } from './auth-fixtures.ts';
import { TestClock } from './auth-fixtures.ts';

/**
 * A real hub, in this process, wired exactly as `main` wires it (the Hub class: sign-in,
 * every route of every plane, the OpenAPI docs, /metrics), with the cloud pointed at the
 * sim's EC2 endpoint so the planes that need one are registered too. Its clock is the
 * test's, so sessions and tokens expire when the test says.
 */
export type HubHarness = AuthHarness & { hub: Hub; sim: SimEc2 };

export async function hubHarness(
  beforeListen: (app: FastifyInstance) => void = () => undefined,
  config: Partial<HubConfig> = {},
  /**
   * Prepares the world before the hub starts (clusters on the sim, kubeconfigs); returns more
   * config, and `clockMs` to start the hub's clock at (e.g. the sim's time, so its prices are fresh).
   */
  withSim: (sim: SimEc2, dir: string) => Promise<Partial<HubConfig> & { clockMs?: number }> = async () => ({}),
): Promise<HubHarness> {
  const dir = tempDir('hub-harness');
  await seedMigratedPglite(join(dir.path, 'metadata'));
  const consoleDir = join(dir.path, 'console');
  mkdirSync(consoleDir);
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Ballast</title>');
  const sim = await startSimEc2({ catalog: 'built-in' });
  const { clockMs, ...more } = await withSim(sim, dir.path);
  const c: HubConfig = {
    ...loadConfig(HUB_CONFIG, [], {}),
    httpHost: '127.0.0.1',
    httpPort: 0,
    grpcHost: '127.0.0.1',
    grpcPort: 0,
    chdbPath: join(dir.path, 'chdb'),
    metadataPath: join(dir.path, 'metadata'),
    consoleDir,
    cloud: 'aws',
    awsEndpoint: sim.url,
    logLevel: 'silent',
    apiRatePerMinute: 0,
    adminPassword: 'harness-admin-password',
    ...config,
    ...more,
  };
  const clock = new TestClock(clockMs);
  const hub = new Hub(
    c,
    createLogger('hub', 'silent'),
    clock,
    { onDemandPrices: { 'm5.large': 0.096, 'c5.large': 0.085 }, awsCredentials: { accessKeyId: 'sim', secretAccessKey: 'sim' } },
    { beforeListen },
  );
  try {
    await hub.start();
  } catch (err) {
    await hub.shutdown().catch(() => undefined);
    await sim.close();
    dir.remove();
    throw err;
  }
  const app = hub.apiServer as FastifyInstance;
  return {
    hub,
    sim,
    app,
    store: hub.metadata as NonNullable<Hub['metadata']>,
    settings: authSettingsFromConfig(c),
    clock,
    close: async () => {
      await hub.shutdown();
      await sim.close();
      dir.remove();
    },
  };
}

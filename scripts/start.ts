/**
 * `npm start`: the demo on embedded defaults — a hub with chDB storage in .data/, the
 * console on http://localhost:8080 (PORT overrides), and an agent for this machine.
 * Only wiring; every part is configured by the same flags/env vars as in production.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENT_CONFIG, Agent, GrpcTransport, NodeCollector } from '@ballast/agent';
import { ConfigError, createLogger, type LogLevel, loadConfig, systemClock } from '@ballast/common';
import { HUB_CONFIG, Hub } from '@ballast/hub';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const hubConfig = loadConfig(HUB_CONFIG, []);
  if (!existsSync(`${hubConfig.consoleDir}/index.html`)) {
    process.stdout.write('building the console (first start only)…\n');
    await build({ root: `${root}console`, logLevel: 'warn' });
  }
  const agentConfig = loadConfig(AGENT_CONFIG, [], { BALLAST_HUB_ADDRESS: `127.0.0.1:${hubConfig.grpcPort}`, ...process.env });
  const hubLog = createLogger('hub', hubConfig.logLevel as LogLevel);
  const agentLog = createLogger('agent', agentConfig.logLevel as LogLevel, { node: agentConfig.node });

  const hub = new Hub(hubConfig, hubLog);
  await hub.start();
  let agent: Agent;
  const collector = new NodeCollector({
    procNetDevPath: agentConfig.procNetDev,
    onError: (source, err) => agentLog.warn('collector source failed', { source, err }),
  });
  const transport = new GrpcTransport(
    { address: agentConfig.hubAddress, reconnectMinMs: agentConfig.reconnectMinMs, reconnectMaxMs: agentConfig.reconnectMaxMs },
    systemClock,
    agentLog.child({ part: 'transport' }),
  );
  agent = new Agent(agentConfig, [collector], transport, agentLog);
  await agent.start();
  process.stdout.write(`\nBallast is running: console on http://localhost:${hub.httpPort}  (Ctrl-C to stop)\n\n`);

  const stop = async () => {
    await agent.shutdown();
    await hub.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  process.stderr.write(`ballast: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});

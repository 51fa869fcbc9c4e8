import { ConfigError, createLogger, describeConfig, type LogLevel, loadConfig, systemClock } from '@ballast/common';
import { natsTlsOptions } from '@ballast/proto/nats-tls';
import { type BuiltActions, buildActions } from './actions/build-actions.ts';
import { Agent } from './agent.ts';
import { buildCollectors } from './collectors/build-collectors.ts';
import { AGENT_CONFIG } from './config/agent-config.ts';
import { resolveEnrolmentToken, resolveIdentity } from './identity.ts';
import { ImdsClient } from './imds/imds-client.ts';
import { KubeConfigError } from './kube/kube-endpoint.ts';
import { StatusServer } from './status/status-server.ts';
import { grpcTlsFromConfig } from './transport/grpc-tls.ts';
import { GrpcTransport } from './transport/grpc-transport.ts';
import type { Transport } from './transport/transport.ts';

if (process.argv.includes('--help')) {
  process.stdout.write(`ballast agent\n\nFlags (each falls back to its environment variable):\n${describeConfig(AGENT_CONFIG)}\n`);
  process.exit(0);
}

let config: ReturnType<typeof loadConfig<typeof AGENT_CONFIG>>;
let natsTls: ReturnType<typeof natsTlsOptions>;
let grpcTls: ReturnType<typeof grpcTlsFromConfig>;
try {
  config = loadConfig(AGENT_CONFIG);
  // A token file is read once at start: an unreadable one stops the agent here, naming the field.
  config.enrolmentToken = resolveEnrolmentToken(config);
  // So are the NATS TLS files (a NatsTlsConfigError is a ConfigError).
  natsTls = config.transport === 'nats' ? natsTlsOptions(config) : undefined;
  grpcTls = config.transport === 'grpc' ? grpcTlsFromConfig(config) : undefined;
} catch (err) {
  if (err instanceof ConfigError || (err instanceof Error && err.message.startsWith('enrolmentTokenFile'))) {
    process.stderr.write(`ballast agent: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const log = createLogger('agent', config.logLevel as LogLevel, { node: config.node });
let agent: Agent;
let built: ReturnType<typeof buildCollectors>;
try {
  built = buildCollectors(
    config,
    log,
    (source, err) => {
      agent.collectErrors += 1;
      log.warn('collector source failed', { source, err });
    },
    () => agent.stats(),
  );
} catch (err) {
  if (err instanceof KubeConfigError) {
    process.stderr.write(`ballast agent: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const transportLog = log.child({ part: 'transport' });
const backoff = { reconnectMinMs: config.reconnectMinMs, reconnectMaxMs: config.reconnectMaxMs };
const transport: Transport =
  config.transport === 'nats'
    ? // Loaded only when used: the NATS client costs ~12 MiB of RSS on every gRPC agent otherwise.
      new (await import('./transport/nats-transport.ts')).NatsTransport(
        { url: config.natsUrl, tls: natsTls, ...backoff },
        systemClock,
        transportLog,
      )
    : new GrpcTransport({ address: config.hubAddress, ...backoff, ...(grpcTls ? { tls: grpcTls } : {}) }, systemClock, transportLog);
agent = new Agent(config, built.collectors, transport, log);
const status = new StatusServer(config.statusHost, config.statusPort, () => agent.stats());

let stopping = false;
let actions: BuiltActions | null = null;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  await actions?.monitors?.shutdown();
  actions?.outbox.shutdown();
  const stats = await agent.shutdown();
  await built.podMetadata?.shutdown();
  await status.shutdown();
  // The final line carries the counts an operator (or a test) needs to account for every batch.
  log.info('agent stopped', { signal, ...stats });
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

try {
  const imds =
    config.imdsEndpoint !== 'off'
      ? new ImdsClient(
          { endpoint: config.imdsEndpoint, tokenTtlSeconds: 21_600, allowV1: config.imdsAllowV1, timeoutMs: config.imdsTimeoutMs },
          systemClock,
        )
      : null;
  agent.identity = await resolveIdentity(config, imds, log);
  actions = buildActions(config, imds, agent.identity.lifecycle, transport, systemClock, log);
  agent.commandHandler = actions.commands.onCommand;
  await status.start();
  await built.podMetadata?.start();
  await agent.start();
  actions.monitors?.start();
  log.info('agent started', {
    transport: transport.name,
    hub: config.transport === 'nats' ? config.natsUrl : config.hubAddress,
    epoch: agent.epoch,
    statusPort: status.port,
    intervalMs: config.collectIntervalMs,
  });
} catch (err) {
  log.error('agent failed to start', { err });
  process.exit(1);
}

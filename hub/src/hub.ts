import { readFileSync } from 'node:fs';
import { type Clock, type Logger, systemClock } from '@ballast/common';
import { natsTlsOptions } from '@ballast/proto/nats-tls';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from './api/api-server.ts';
import { type AdmitAgent, agentAdmission } from './auth/agent-admission.ts';
import { authSettingsFromConfig } from './auth/auth-settings.ts';
import { enrolmentVerifier } from './auth/enrolment.ts';
import { ensureFirstAdmin } from './auth/first-admin.ts';
import { ROUTE_POLICY } from './auth/route-policy.ts';
import { ClusterDirectory, listClusters } from './clusters/kubeconfig-directory.ts';
import { accessConfigProblem } from './config/access-config.ts';
import type { HubConfig } from './config/hub-config.ts';
import { DecisionLoops } from './decisions/live/decision-loops.ts';
import { NodeSignalBook } from './decisions/live/node-signal-book.ts';
import { readPolicyOverrides } from './decisions/policies-file.ts';
import { ClickHouseFleetReader } from './fleet/clickhouse-fleet-reader.ts';
import { DecisionSwitchHistory } from './fleet/decision-switch-history.ts';
import { FleetMetrics } from './fleet/fleet-metrics.ts';
import { JobSwitchHistory } from './fleet/job-switch-history.ts';
import { PipelineHealth } from './fleet/pipeline-health.ts';
import { absentProbe, catalogProbe, decisionProbe, executorProbe, ingestProbe, solverProbe, storeProbe } from './fleet/pipeline-probes.ts';
import { parseApprovalPolicy } from './governance/approval-policy.ts';
import type { AgentRegistry } from './ingest/agent-registry.ts';
import { GrpcGateway } from './ingest/grpc-gateway.ts';
import { IngestPipeline } from './ingest/ingest-pipeline.ts';
import { NatsIngest } from './ingest/nats-ingest.ts';
import { SeriesWriter } from './ingest/series-writer.ts';
import { ActionsPlane } from './jobs/actions-plane.ts';
import { recordEventEvidence } from './pools/event-evidence.ts';
import { ScoringPlane, type ScoringPlaneOverrides } from './pools/scoring-plane.ts';
import { PlacementSolver } from './solver/index.ts';
import type { MetadataStore } from './state/metadata-store.ts';
import { metadataStoreOptionsFromConfig, openMetadataStore } from './state/metadata-store-factory.ts';
import type { DecisionRepository } from './state/repositories/decision-repository.ts';
import { ScoringModelRepository } from './state/repositories/scoring-model-repository.ts';
import { TenantRepository } from './state/repositories/tenant-repository.ts';
import { parseStoragePrices } from './storage-cleanup/storage-prices.ts';
import { openStoreConnection, type StoreConnection } from './store/clickhouse-connection.ts';
import { ClickHouseMetricsStore } from './store/clickhouse-metrics-store.ts';
import type { EventRecord, MetricsStore } from './store/metrics-store.ts';
import { storeOptionsFromConfig } from './store/store-options.ts';
import { EventBus } from './stream/event-bus.ts';
import { agentEventToStream, jobToStream } from './stream/stream-bridges.ts';
import { StreamingAgentRegistry } from './stream/streaming-agent-registry.ts';
import { StreamingDecisionRepository } from './stream/streaming-decision-repository.ts';
import type { AgentCommander } from './switches/agent-commander.ts';
import { boardSpotPool } from './switches/board-spot-pool.ts';
import { firstReachable, grpcCommander, natsCommander } from './switches/transport-commanders.ts';

export const HUB_VERSION = '0.1.0';

/** Test seams: a test may install hooks on the API server before it listens. */
export interface HubHooks {
  beforeListen?: (app: FastifyInstance) => void;
}

/** The hub's components in start order; shutdown runs in reverse. */
export class Hub {
  readonly store: MetricsStore;
  readonly pipeline: IngestPipeline;
  readonly registry: AgentRegistry;
  readonly gateway: GrpcGateway;
  /** The live stream's events (agents, jobs, interruptions), for GET /api/v1/stream. */
  readonly bus = new EventBus({ capacity: 10_000 });
  /** Agents' interruption notices and rebalances per node, for the decision loops. */
  readonly signals = new NodeSignalBook();
  /** Agents on the NATS transport; null unless natsUrl is set. */
  readonly nats: NatsIngest | null = null;
  /** Opened at start (PGlite or PostgreSQL); null before. */
  metadata: MetadataStore | null = null;
  /** Cloud, catalog and pool scores; null unless --cloud is set. */
  scoring: ScoringPlane | null = null;
  /** Jobs, storage cleanup, governance, approvals; null unless --cloud is set. */
  actions: ActionsPlane | null = null;
  /** One decision loop per cluster with a kubeconfig; null without a cloud, clusters or with --decisions off. */
  decisionLoops: DecisionLoops | null = null;
  private commander: AgentCommander | null = null;
  /** HiGHS in a worker thread, shared by the decision loops; started on first solve. */
  private readonly solver = new PlacementSolver();
  private readonly connection: StoreConnection;
  private api: FastifyInstance | null = null;
  private admitAgent: AdmitAgent | null = null;
  httpPort = 0;

  constructor(
    private readonly config: HubConfig,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
    private readonly overrides: ScoringPlaneOverrides = {},
    private readonly hooks: HubHooks = {},
  ) {
    const problem = accessConfigProblem(config);
    if (problem) throw new Error(problem);
    const connection = openStoreConnection(
      config.store === 'chdb'
        ? { kind: 'chdb', path: config.chdbPath }
        : {
            kind: 'server',
            url: config.clickhouseUrl,
            username: config.clickhouseUser,
            password: config.clickhousePassword,
            database: config.clickhouseDatabase,
          },
    );
    this.connection = connection;
    this.store = new ClickHouseMetricsStore(connection, storeOptionsFromConfig(config));
    this.pipeline = new IngestPipeline(this.store, clock, {
      flushPoints: config.flushPoints,
      flushIntervalMs: config.flushIntervalMs,
      maxQueuedPoints: config.maxQueuedPoints,
      retryMinMs: 100,
      retryMaxMs: 5_000,
    });
    this.registry = new StreamingAgentRegistry(this.store, clock, log.child({ part: 'registry' }), this.bus);
    const sessionDeps = {
      store: this.store,
      pipeline: this.pipeline,
      registry: this.registry,
      series: new SeriesWriter(this.store, clock),
      clock,
      log: log.child({ part: 'ingest' }),
      limits: {
        maxPointsPerBatch: config.maxPointsPerBatch,
        maxSeriesPerAgent: config.maxSeriesPerAgent,
        collectIntervalMs: config.collectIntervalMs,
        defaultTenant: config.defaultTenant,
        hubVersion: HUB_VERSION,
      },
      onEvent: (event: EventRecord) => {
        if (this.scoring) recordEventEvidence(event, (t, c, n) => this.registry.get(t, c, n), this.scoring.evidence);
        const streamed = agentEventToStream(event);
        if (streamed) this.bus.publish(streamed);
        // A notice leaves two minutes: decide for its cluster now, not at the next interval.
        if (this.signals.record(event)) void this.decisionLoops?.runNow(event.tenant, event.cluster);
      },
      admit: (claim: Parameters<AdmitAgent>[0], peer: string) => {
        if (!this.admitAgent) throw new Error('the hub is not started');
        return this.admitAgent(claim, peer);
      },
    };
    this.gateway = new GrpcGateway(
      sessionDeps,
      { host: config.grpcHost, port: config.grpcPort, maxMessageBytes: config.maxMessageBytes, ...tlsFiles(config) },
      log.child({ part: 'gateway' }),
    );
    if (config.natsUrl) {
      this.nats = new NatsIngest(
        sessionDeps,
        {
          url: config.natsUrl,
          consumer: config.natsConsumer,
          ackWaitMs: config.natsAckWaitMs,
          // Bounds what all hubs hold un-acked (JetStream stops delivering beyond it): the backpressure.
          maxAckPending: 1_000,
          pullBatch: 256,
          streamMaxBytes: config.natsStreamMaxMiB * 1024 * 1024,
          maxAgeMs: 7 * 24 * 3600 * 1000,
          // Read and checked here, so a bad file stops the hub naming the field.
          tls: natsTlsOptions(config),
        },
        log.child({ part: 'nats' }),
      );
    }
  }

  async start(): Promise<void> {
    // Config problems (files, URLs) surface before anything listens.
    const metadataOptions = metadataStoreOptionsFromConfig(this.config);
    const clusters = new ClusterDirectory(listClusters(this.config.clusterKubeconfigDir, this.config.defaultTenant), this.clock);
    const policies = this.config.decisionPoliciesFile ? readPolicyOverrides(this.config.decisionPoliciesFile) : undefined;
    this.metadata = await openMetadataStore(metadataOptions);
    await this.metadata.migrate();
    const metadata = this.metadata;
    const now = () => this.clock.now();
    const first = await ensureFirstAdmin(metadata, { username: this.config.adminUser, password: this.config.adminPassword }, now());
    // A generated password goes to the terminal once, never to the JSON log a shipper may collect.
    if (first.created) process.stderr.write(`ballast hub: ${first.message}\n`);
    this.admitAgent = agentAdmission({
      mode: this.config.agentEnrolment as 'required' | 'open',
      verify: enrolmentVerifier(metadata, now),
      audit: metadata,
      now,
      defaultTenant: this.config.defaultTenant,
    });
    const models = new ScoringModelRepository(this.metadata);
    this.scoring = ScoringPlane.fromConfig(this.config, { clock: this.clock, log: this.log, models }, this.overrides);
    await this.scoring?.start();
    await this.store.start();
    const tenants = new TenantRepository(metadata);
    for (const c of clusters.entries) await tenants.ensureCluster(c.clientId, c.clusterId, now());
    if (this.scoring) this.actions = this.buildActions(this.metadata, this.scoring, clusters);
    this.actions?.runner.onChange((job) => this.bus.publish(jobToStream(job)));
    this.actions?.jobs.onChange((job) => this.bus.publish(jobToStream(job)));
    await this.actions?.start();
    const decisions = new StreamingDecisionRepository(this.metadata, this.bus);
    if (this.scoring && this.actions && this.config.decisions !== 'off' && clusters.entries.length > 0) {
      const actions = this.actions;
      const catalog = this.scoring.catalog;
      this.decisionLoops = new DecisionLoops({
        clusters: clusters.entries,
        access: clusters.access,
        clock: this.clock,
        log: this.log.child({ part: 'decisions' }),
        board: this.scoring.board,
        catalog,
        decisions,
        signals: this.signals,
        overrides: actions.overridePolicy,
        tagsOf: async (ids) => new Map((await this.scoring?.cloud.describeInstances({ ids: [...ids] }))?.map((i) => [i.id, i.tags]) ?? []),
        ...(this.config.decisions === 'execute'
          ? { submit: (o) => actions.switches.submit(o), remove: (o) => actions.switches.remove(o) }
          : {}),
        intervalMs: this.config.decisionIntervalMinutes * 60_000,
        ...(policies ? { policies } : {}),
        solver: this.solver,
      });
      this.decisionLoops.start();
    }
    this.registry.start();
    await this.gateway.start();
    this.nats?.start();
    this.api = await buildApiServer({
      store: this.store,
      registry: this.registry,
      consoleDir: this.config.consoleDir,
      defaultTenant: this.config.defaultTenant,
      now,
      version: HUB_VERSION,
      auth: {
        store: metadata,
        now,
        settings: authSettingsFromConfig(this.config),
        policy: this.config.metricsAccess === 'public' ? { ...ROUTE_POLICY, 'GET /metrics': 'public' } : ROUTE_POLICY,
      },
      http: {
        corsOrigins: this.config.corsOrigins
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== ''),
        ratePerMinute: this.config.apiRatePerMinute,
      },
      log: { level: this.config.logLevel as 'info' | 'warn' | 'error' | 'silent' },
      hubMetrics: {
        ingest: () => this.pipeline.stats,
        connectedAgents: () => this.registry.connectedCount(),
        nats: () => this.nats?.stats ?? null,
        metadata: () => this.metadata,
      },
      cluster: {
        role: this.nats ? 'nats-consumer' : 'standalone',
        hubVersion: HUB_VERSION,
        peers: async () =>
          this.nats ? { consumer: this.config.natsConsumer, consuming: this.nats.ready, url: this.config.natsUrl } : null,
      },
      decisions,
      stream: { bus: this.bus, clock: this.clock },
      fleet: this.buildFleet(decisions, tenants),
      ...(this.actions ? { actions: this.actions } : {}),
      ...(this.scoring ? { scoring: { models, board: this.scoring.board, catalog: this.scoring.catalog } } : {}),
      readiness: [
        { name: 'metadata', check: async () => void (await this.metadata?.query('SELECT 1')) },
        { name: 'store', check: () => this.store.ping() },
        {
          name: 'ingest',
          check: async () => {
            const s = this.pipeline.stats;
            if (s.queuedPoints >= this.config.maxQueuedPoints) throw new Error(`ingest queue is full; last store error: ${s.lastError}`);
          },
        },
        {
          name: 'nats',
          check: async () => {
            if (this.nats && !this.nats.ready) throw new Error(this.nats.lastError ?? 'not consuming from NATS yet');
          },
        },
      ],
    });
    this.hooks.beforeListen?.(this.api);
    await this.api.listen({ host: this.config.httpHost, port: this.config.httpPort });
    const address = this.api.server.address();
    this.httpPort = typeof address === 'object' && address ? address.port : this.config.httpPort;
    this.log.info('hub ready', { http: this.httpPort, grpc: this.gateway.boundPort, nats: this.config.natsUrl || undefined });
  }

  private buildFleet(decisions: DecisionRepository, tenants: TenantRepository): NonNullable<Parameters<typeof buildApiServer>[0]['fleet']> {
    const reader = new ClickHouseFleetReader(this.connection.client);
    const scoring = this.scoring;
    const actions = this.actions;
    const metrics = new FleetMetrics({
      agents: this.registry,
      prices: scoring?.catalog ?? { spotPrice: () => undefined, onDemandPrice: () => undefined },
      risk: reader,
      nodeHours: reader,
      switches: actions ? new JobSwitchHistory(actions.switchHistory) : new DecisionSwitchHistory(decisions),
      ...(this.decisionLoops ? { bestPlan: this.decisionLoops } : {}),
      clock: this.clock,
    });
    const health = new PipelineHealth(
      [
        ingestProbe(() => this.pipeline.stats, this.config.maxQueuedPoints),
        storeProbe(() => this.store.ping()),
        scoring ? catalogProbe(() => scoring.catalog.status()) : absentProbe('catalog', 'no cloud configured (--cloud off)'),
        this.decisionLoops ? decisionProbe(this.decisionLoops) : absentProbe('decisions', decisionsAbsent(this.config, scoring !== null)),
        this.decisionLoops ? solverProbe(this.decisionLoops) : absentProbe('solver', decisionsAbsent(this.config, scoring !== null)),
        actions ? executorProbe(actions.runner) : absentProbe('executor', 'no cloud configured (--cloud off)'),
      ],
      this.clock,
    );
    return {
      metrics,
      health,
      clients: tenants,
      ...(scoring ? { board: scoring.board, prices: scoring.catalog } : {}),
      ...(this.decisionLoops ? { nodeCreatedAtMs: this.decisionLoops.nodeCreatedAtMs.bind(this.decisionLoops) } : {}),
    };
  }

  private buildActions(metadata: MetadataStore, scoring: ScoringPlane, clusters: ClusterDirectory): ActionsPlane {
    const tenants = new TenantRepository(metadata);
    const commanders = [
      grpcCommander(this.registry, this.clock),
      ...(this.nats ? [natsCommander(this.registry, this.nats, this.clock)] : []),
    ];
    this.commander = firstReachable(...commanders);
    return new ActionsPlane({
      store: metadata,
      cloud: scoring.cloud,
      clock: this.clock,
      log: this.log.child({ part: 'jobs' }),
      policy: parseApprovalPolicy(this.config.approvalRequiredFor),
      storagePrices: parseStoragePrices(this.config.storagePrices),
      // Governance must never touch a node of a cluster Ballast serves: agents seen, and clusters registered.
      knownFleet: async () => {
        const agents = await this.registry.list(null);
        const clusterIds = new Set(agents.map((a) => a.cluster));
        for (const c of await tenants.listClients()) for (const k of await tenants.listClusters(c.id)) clusterIds.add(k.id);
        return { clusterIds, instanceIds: new Set(agents.map((a) => a.instanceId)) };
      },
      switches: {
        commander: this.commander,
        clusters: clusters.access,
        defaultTenant: this.config.defaultTenant,
        chooseSpotPool: boardSpotPool({ board: scoring.board, catalog: scoring.catalog }),
      },
      hourlyPrice: (i) =>
        (i.capacityType === 'spot' ? scoring.catalog.spotPrice(i.instanceType, i.zone) : scoring.catalog.onDemandPrice(i.instanceType))
          ?.pricePerHour ?? null,
    });
  }

  /** The API server once started (tests inject requests into it). */
  get apiServer(): FastifyInstance | null {
    return this.api;
  }

  async shutdown(): Promise<void> {
    await this.api?.close();
    await this.gateway.shutdown();
    // Stop pulling, let the pipeline store (and so ack) what is here, then hand back the rest.
    await this.nats?.stop();
    await this.pipeline.shutdown();
    await this.nats?.close();
    await this.registry.shutdown();
    await this.decisionLoops?.shutdown();
    await this.solver.shutdown();
    await this.actions?.shutdown();
    this.commander?.close();
    await this.store.shutdown();
    await this.scoring?.shutdown();
    await this.metadata?.close();
  }
}

function decisionsAbsent(c: HubConfig, cloud: boolean): string {
  if (!cloud) return 'no cloud configured (--cloud off)';
  if (c.decisions === 'off') return 'turned off (--decisions off)';
  return 'no cluster kubeconfigs (--cluster-kubeconfig-dir)';
}

/** The gRPC listener's TLS files, read once at construction so a bad path stops the hub naming the field. */
function tlsFiles(c: HubConfig): { tls?: { cert: Buffer; key: Buffer; clientCa: Buffer | null } } {
  if (c.tlsCert === '') return {};
  const read = (path: string, field: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${field}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    tls: {
      cert: read(c.tlsCert, 'tlsCert (--tls-cert)'),
      key: read(c.tlsKey, 'tlsKey (--tls-key)'),
      clientCa: c.tlsClientCa === '' ? null : read(c.tlsClientCa, 'tlsClientCa (--tls-client-ca)'),
    },
  };
}

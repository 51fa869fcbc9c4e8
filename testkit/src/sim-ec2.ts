import {
  type CapacityOptions,
  type Ec2Server,
  type Ec2State,
  Fleet,
  loadCatalog,
  ManualClock,
  PriceHistory,
  type PriceHistoryFilter,
  Rng,
  SpotMarket,
  startEc2Server,
} from '@ballast/sim';
import type { AwsCloudConfig } from '../../hub/src/cloud/aws-config.ts';

/** /work/shared/data: the recorded catalog and spot prices the sim replays. */
export const SHARED_DATA_DIR = new URL('../../../shared/data/', import.meta.url);

/** Inside the luciana2021 price history (2021-03-02 → 2021-04-30), so replayed pools have a week behind them. */
export const SIM_EC2_START_MS = Date.parse('2021-04-15T00:00:00Z');

export interface SimEc2Options {
  /** The manual clock's start; default SIM_EC2_START_MS. */
  startMs?: number;
  seed?: number;
  dataDir?: URL;
  /** Which recorded prices to replay; false: the built-in price model only. Default: the luciana2021 source. */
  prices?: PriceHistoryFilter | false;
  /** The whole instance_types.csv (default) or the sim's 16 built-in types. */
  catalog?: 'file' | 'built-in';
  capacity?: Partial<CapacityOptions>;
  /** Virtual ms from launch to running (default 30 s). */
  bootDelayMs?: number;
}

export interface SimEc2 {
  url: string;
  clock: ManualClock;
  fleet: Fleet;
  market: SpotMarket;
  server: Ec2Server;
  state: Ec2State;
  region: 'us-east-1';
  /** A provider config for this endpoint: dummy keys (the sim accepts any signature), fast retries. */
  awsConfig(overrides?: Partial<AwsCloudConfig>): AwsCloudConfig;
  close(): Promise<void>;
}

// Parsing 18 MB of prices costs ~0.25 s; test files that start several sims share one parse.
const historyCache = new Map<string, PriceHistory>();

function priceHistory(dataDir: URL, filter: PriceHistoryFilter): PriceHistory {
  const key = `${dataDir.href}|${JSON.stringify(filter)}`;
  let history = historyCache.get(key);
  if (!history) {
    history = PriceHistory.load(new URL('spot_price_history.csv', dataDir), filter);
    historyCache.set(key, history);
  }
  return history;
}

/**
 * The simulator's EC2 endpoint on a free loopback port, on a manual clock, with the
 * market built from the shared data through the sim's own loaders. Nothing moves until
 * the test advances `clock`.
 */
export async function startSimEc2(options: SimEc2Options = {}): Promise<SimEc2> {
  const startMs = options.startMs ?? SIM_EC2_START_MS;
  const dataDir = options.dataDir ?? SHARED_DATA_DIR;
  const clock = new ManualClock(startMs);
  const rng = new Rng(options.seed ?? 7);
  const catalog = options.catalog === 'built-in' ? loadCatalog() : loadCatalog(new URL('instance_types.csv', dataDir));
  const history = options.prices === false ? undefined : priceHistory(dataDir, options.prices ?? { sourceId: 'luciana2021' });
  const market = new SpotMarket({
    rng: rng.fork('market'),
    startMs: startMs - 30 * 86_400_000,
    catalog,
    ...(history ? { history } : {}),
    ...(options.capacity ? { capacity: options.capacity } : {}),
  });
  const fleet = new Fleet(clock, { bootDelayMs: options.bootDelayMs ?? 30_000, shutdownDelayMs: 20_000 });
  const server = await startEc2Server({ fleet, market, clock, rng: rng.fork('ec2'), host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    clock,
    fleet,
    market,
    server,
    state: server.state,
    region: 'us-east-1',
    awsConfig: (overrides = {}) => ({
      region: 'us-east-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
      retry: { maxAttempts: 3, baseDelayMs: 5, throttleBaseDelayMs: 10, maxDelayMs: 50 },
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 10_000,
      ...overrides,
    }),
    close: () => server.close(),
  };
}

import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import { type Clock, ConfigError, type Logger } from '@ballast/common';
import { Catalog } from '../catalog/catalog.ts';
import { AwsCloudProvider } from '../cloud/aws-cloud-provider.ts';
import type { HubConfig } from '../config/hub-config.ts';
import type { ScoringModelRepository } from '../state/repositories/scoring-model-repository.ts';
import { type ModelRef, PoolBoard } from './pool-board.ts';
import { RecordedPoolEvidence } from './pool-evidence.ts';
import { loadSpotAdvisorCsv } from './spot-advisor-file.ts';

/** The board's models as the metadata store holds them (read at every recompute, so a promotion shows at once). */
export function storedModels(repo: ScoringModelRepository): () => Promise<{ active: ModelRef | null; shadow: ModelRef | null }> {
  const ref = (m: Awaited<ReturnType<ScoringModelRepository['current']>>['active']): ModelRef | null =>
    m ? { id: m.id, model: m.model } : null;
  return async () => {
    const { active, shadow } = await repo.current();
    return { active: ref(active), shadow: ref(shadow) };
  };
}

export interface ScoringPlaneOverrides {
  /** On-demand prices given by the wiring (the demo's simulator catalog) instead of a file. */
  onDemandPrices?: Readonly<Record<string, number>>;
  /** Static credentials (the demo's simulator); absent: the SDK's default chain. */
  awsCredentials?: EC2ClientConfig['credentials'];
}

/**
 * The cloud, the price catalog and the pool board, built from config when `--cloud aws`
 * is set (null otherwise: a metrics-only hub). Bad files stop the hub at start with a
 * message naming the field.
 */
export class ScoringPlane {
  readonly evidence = new RecordedPoolEvidence();
  readonly board: PoolBoard;

  private constructor(
    readonly cloud: AwsCloudProvider,
    readonly catalog: Catalog,
    models: ScoringModelRepository,
    advisor: ReturnType<typeof loadSpotAdvisorCsv> | null,
  ) {
    this.board = new PoolBoard({ catalog, evidence: this.evidence, advisor, models: storedModels(models) });
  }

  static fromConfig(
    config: HubConfig,
    deps: { clock: Clock; log: Logger; models: ScoringModelRepository },
    overrides: ScoringPlaneOverrides = {},
  ): ScoringPlane | null {
    if (config.cloud === 'off') return null;
    if (!overrides.onDemandPrices && config.onDemandPricesFile === '') {
      throw new ConfigError(
        'onDemandPricesFile',
        'is required with --cloud aws: EC2 has no price API, so savings need on-demand prices from a file',
      );
    }
    let advisor: ReturnType<typeof loadSpotAdvisorCsv> | null = null;
    if (config.spotAdvisorFile !== '') {
      try {
        advisor = loadSpotAdvisorCsv(config.spotAdvisorFile, config.awsRegion);
      } catch (err) {
        throw new ConfigError('spotAdvisorFile', (err as Error).message);
      }
    }
    const cloud = new AwsCloudProvider({
      region: config.awsRegion,
      ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
      ...(overrides.awsCredentials ? { credentials: overrides.awsCredentials } : {}),
    });
    const catalog = new Catalog({
      cloud,
      clock: deps.clock,
      onDemand: overrides.onDemandPrices ? { prices: overrides.onDemandPrices } : { file: config.onDemandPricesFile },
      spotPricesEveryMs: config.catalogRefreshMinutes * 60_000,
      logger: deps.log.child({ part: 'catalog' }),
    });
    return new ScoringPlane(cloud, catalog, deps.models, advisor);
  }

  async start(): Promise<void> {
    await this.catalog.start();
    await this.board.recompute();
  }

  async shutdown(): Promise<void> {
    await this.catalog.shutdown();
    this.cloud.close();
  }
}

import type { Catalog } from '../catalog/catalog.ts';
import { candidateOfferings, catalogOfferings, offeringPriceHistory, type SkippedPool } from '../catalog/scoring-inputs.ts';
import { type PoolScoringInput, poolIdOf, type ScoringContext, type WorkloadShape } from '../scoring/pool-inputs.ts';
import { type RankedPoolScore, scorePools } from '../scoring/score-pool.ts';
import { DEFAULT_MODEL, evidenceWindow, type ScoringModel, volatilityWindow } from '../scoring/scoring-model.ts';
import { NO_EVIDENCE, type PoolEvidenceSource } from './pool-evidence.ts';
import type { SpotAdvisorTable } from './spot-advisor-file.ts';

/**
 * The shape the pool table is scored for when no workload is named: a 1 vCPU / 2 GiB pod,
 * a common web-service request, so the cost factor compares price per usable vCPU and GiB.
 */
export const REFERENCE_SHAPE: WorkloadShape = { id: 'reference', count: 100, cpuMillis: 1000, memoryMib: 2048 };

export interface ModelRef {
  id: string | null;
  model: ScoringModel;
}

export interface PoolBoardSnapshot {
  computedAtMs: number;
  model: { id: string | null; name: string; version: number };
  shadow: { id: string; name: string; version: number } | null;
  pools: RankedPoolScore[];
  /** The same pools under the shadow model, when one is set: poolId → its total and rank. */
  shadowScores: ReadonlyMap<string, { total: number; rank: number }>;
  /** The shadow model's full scores (what its decision engine weighs); empty without a shadow model. */
  shadowPools: RankedPoolScore[];
  /** The shadow model itself, for the engine that decides under it; null without one. */
  shadowModel: ScoringModel | null;
  /** The active model itself (the built-in default when none is stored). */
  activeModel: ScoringModel;
  skipped: SkippedPool[];
  advisorSnapshot: string | null;
  shape: WorkloadShape;
}

export interface PoolBoardDeps {
  catalog: Pick<Catalog, 'now' | 'instanceTypes' | 'zones' | 'spotPrice' | 'onDemandPrice' | 'priceHistory' | 'spotPools'>;
  evidence: PoolEvidenceSource;
  advisor: SpotAdvisorTable | null;
  /** The active and shadow models (from the metadata store); the built-in default when none is active. */
  models: () => Promise<{ active: ModelRef | null; shadow: ModelRef | null }>;
}

/**
 * Every pool's score under the active model (and the shadow one beside it), recomputed on
 * demand and kept until the next recompute: the pool table and the decision engine read
 * the same numbers, and a person can see when they were computed.
 */
export class PoolBoard {
  private last: PoolBoardSnapshot | null = null;
  private running: Promise<PoolBoardSnapshot> | null = null;

  constructor(private readonly deps: PoolBoardDeps) {}

  /** The last computed scores, computing them first if there are none yet. */
  async current(): Promise<PoolBoardSnapshot> {
    return this.last ?? this.recompute();
  }

  /** Recomputes now; concurrent calls share one computation. */
  recompute(): Promise<PoolBoardSnapshot> {
    this.running ??= this.compute().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async compute(): Promise<PoolBoardSnapshot> {
    const now = this.deps.catalog.now();
    const { active, shadow } = await this.deps.models();
    const model = active ?? { id: null, model: DEFAULT_MODEL };
    const { offerings, skipped } = catalogOfferings(this.deps.catalog);
    const context: ScoringContext = { shapes: [REFERENCE_SHAPE], candidates: candidateOfferings(offerings) };
    const score = async (m: ScoringModel) => {
      const evidence = await this.deps.evidence.evidence(evidenceWindow(m, now));
      const inputs: PoolScoringInput[] = offerings.map((offering) => ({
        offering,
        observations: {
          ...(evidence.get(poolIdOf(offering)) ?? NO_EVIDENCE),
          advisorBucket: this.deps.advisor?.buckets.get(offering.instanceType) ?? null,
          priceHistory: offeringPriceHistory(this.deps.catalog, offering, volatilityWindow(m, now)),
        },
      }));
      return scorePools(m, inputs, context, now);
    };
    const pools = offerings.length > 0 ? await score(model.model) : [];
    const shadowScores = new Map<string, { total: number; rank: number }>();
    const shadowPools = shadow && offerings.length > 0 ? await score(shadow.model) : [];
    for (const s of shadowPools) shadowScores.set(s.poolId, { total: s.total, rank: s.rank });
    this.last = {
      computedAtMs: now,
      model: { id: model.id, name: model.model.name, version: model.model.version },
      shadow: shadow?.id ? { id: shadow.id, name: shadow.model.name, version: shadow.model.version } : null,
      pools,
      shadowScores,
      shadowPools,
      shadowModel: shadow?.model ?? null,
      activeModel: model.model,
      skipped,
      advisorSnapshot: this.deps.advisor?.snapshot ?? null,
      shape: REFERENCE_SHAPE,
    };
    return this.last;
  }
}

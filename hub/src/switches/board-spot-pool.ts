import type { CatalogInstanceType } from '../catalog/catalog-types.ts';
import type { Instance } from '../cloud/cloud-types.ts';
import type { RankedPoolScore } from '../scoring/score-pool.ts';
import type { ChooseSpotPool } from './switch-ports.ts';

export interface SpotPoolSources {
  /** The pool board's latest ranking (PoolBoard.current). */
  board: { current(): Promise<{ pools: readonly RankedPoolScore[] }> };
  catalog: { instanceType(name: string): CatalogInstanceType | undefined };
}

/**
 * Where a node goes back to spot (revert after a force or the kill switch): the best-ranked
 * spot pool in the node's own zone (its subnet and volumes are there) whose type runs the
 * same image and fits what the node held — the same architecture and GPU count, at least
 * its vCPUs and memory. Its own type on spot when the board ranks nothing that fits (a
 * fresh hub, a board that fails, or a type the catalog does not know).
 */
export function boardSpotPool(s: SpotPoolSources): ChooseSpotPool {
  return async (i: Instance) => {
    const same = { instanceType: i.instanceType, zone: i.zone, capacityType: 'spot' as const };
    const current = s.catalog.instanceType(i.instanceType);
    if (!current) return same;
    // A board that cannot rank now (catalog still loading) must not fail the revert: the node's own type will do.
    const pools = await s.board.current().then(
      (b) => b.pools,
      () => [] as RankedPoolScore[],
    );
    const fits = (t: CatalogInstanceType | undefined) =>
      t?.supportsSpot === true &&
      t.gpuCount === current.gpuCount &&
      t.vcpu >= current.vcpu &&
      t.memoryMib >= current.memoryMib &&
      current.architectures.some((a) => t.architectures.includes(a));
    const best = pools
      .filter((p) => p.capacityType === 'spot' && p.zone === i.zone && fits(s.catalog.instanceType(p.instanceType)))
      .sort((a, b) => a.rank - b.rank)[0];
    return best ? { instanceType: best.instanceType, zone: best.zone, capacityType: 'spot' } : same;
  };
}

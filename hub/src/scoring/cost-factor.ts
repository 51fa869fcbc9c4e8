import { clamp01, nonNegative, positive } from './checks.ts';
import type { CandidateOffering, PoolOffering } from './pool-inputs.ts';
import { invalidInput } from './scoring-error.ts';
import type { WorkloadDemand } from './workload-demand.ts';

export interface CostParameters {
  /**
   * Share (0–1) of the cost factor that compares the pool with the other candidates; the
   * rest is the pool's discount against its own on-demand price.
   */
  alternativesShare: number;
}

export interface CostInputs {
  capacityType: PoolOffering['capacityType'];
  pricePerHour: number;
  onDemandPricePerHour: number;
  pricePerVcpuHour: number;
  pricePerGibHour: number;
  /** The workload's total requests the prices below are for. */
  demand: WorkloadDemand;
  /**
   * USD/hour to provide the workload's requested vCPU and GiB with (fractional) nodes of
   * this type: max(pricePerVcpuHour × demand.vcpu, pricePerGibHour × demand.memoryGib).
   */
  workloadPricePerHour: number;
  /** The same for the cheapest and the dearest candidate (this pool included). */
  cheapestWorkloadPricePerHour: number;
  dearestWorkloadPricePerHour: number;
  candidateCount: number;
}

export interface CostFactor {
  score: number;
  /** (dearest − this) / (dearest − cheapest); 1 when all candidates cost the same. */
  relativeToCandidates: number;
  /** 1 − price / on-demand price, clamped to [0, 1]; 0 for on-demand pools. */
  discountVsOnDemand: number;
  inputs: CostInputs;
}

/**
 * What hosting the workload on this type costs per hour, fractional nodes allowed: the
 * binding resource decides (a memory-heavy workload on a compute type pays for the memory
 * it needs and strands the CPU). Bin-packing granularity is the capacity factor's job.
 */
export function workloadPricePerHour(o: CandidateOffering, demand: WorkloadDemand): number {
  return Math.max((o.pricePerHour / o.vcpu) * demand.vcpu, (o.pricePerHour / o.memoryGib) * demand.memoryGib);
}

/** The cheapest and dearest workload price among the candidates, computed once per scoring run. */
export interface CandidateRange {
  cheapestWorkloadPricePerHour: number;
  dearestWorkloadPricePerHour: number;
  candidateCount: number;
}

/**
 * Prices every candidate for the workload and keeps the extremes (+∞ and −∞ when there
 * are none: the pool alone then sets the range). Done once for all pools, so ranking n
 * pools costs O(n), not O(n²).
 * Errors (INVALID_INPUT): a candidate with a negative or non-finite price, or a
 * non-positive vcpu or memoryGib (`candidates[i].…`).
 */
export function candidateRange(candidates: readonly CandidateOffering[], demand: WorkloadDemand): CandidateRange {
  if (!Array.isArray(candidates)) throw invalidInput('candidates', 'must be an array of offerings');
  let cheapest = Number.POSITIVE_INFINITY;
  let dearest = Number.NEGATIVE_INFINITY;
  candidates.forEach((c, i) => {
    const cat = `candidates[${i}]`;
    if (typeof c !== 'object' || c === null) throw invalidInput(cat, 'must be an object');
    const p = workloadPricePerHour(
      {
        pricePerHour: nonNegative(c.pricePerHour, `${cat}.pricePerHour`),
        vcpu: positive(c.vcpu, `${cat}.vcpu`),
        memoryGib: positive(c.memoryGib, `${cat}.memoryGib`),
      },
      demand,
    );
    cheapest = Math.min(cheapest, p);
    dearest = Math.max(dearest, p);
  });
  return { cheapestWorkloadPricePerHour: cheapest, dearestWorkloadPricePerHour: dearest, candidateCount: candidates.length };
}

/**
 * The cost factor (0–1, higher is cheaper):
 *   score = a × relativeToCandidates + (1 − a) × discountVsOnDemand,  a = params.alternativesShare.
 * The min–max comparison ranks the pool among what the workload could run on; the discount
 * says how much the pool saves against the on-demand price of the same type (the product's
 * definition of savings), so a spot pool priced near on-demand scores low even when all
 * candidates are dear.
 *
 * A zero price is accepted (the pool is as cheap as it gets: score 1). The range may omit
 * the pool itself; the pool is always included in it.
 *
 * Errors (INVALID_INPUT, field under `at`): a missing (null) or non-positive on-demand
 * price; a negative or non-finite price; a non-positive vcpu or memoryGib.
 */
export function costFactor(
  offering: PoolOffering,
  demand: WorkloadDemand,
  range: CandidateRange,
  params: CostParameters,
  at = 'offering',
): CostFactor {
  if (offering.onDemandPricePerHour === null || offering.onDemandPricePerHour === undefined) {
    throw invalidInput(
      `${at}.onDemandPricePerHour`,
      `no on-demand price for ${offering.instanceType}: add it to the catalog's price file (the cost factor and the savings are measured against it)`,
    );
  }
  const onDemand = positive(offering.onDemandPricePerHour, `${at}.onDemandPricePerHour`);
  const price = nonNegative(offering.pricePerHour, `${at}.pricePerHour`);
  const vcpu = positive(offering.vcpu, `${at}.vcpu`);
  const memoryGib = positive(offering.memoryGib, `${at}.memoryGib`);
  const own = workloadPricePerHour({ pricePerHour: price, vcpu, memoryGib }, demand);
  const cheapest = Math.min(own, range.cheapestWorkloadPricePerHour);
  const dearest = Math.max(own, range.dearestWorkloadPricePerHour);

  const relativeToCandidates = dearest > cheapest ? clamp01((dearest - own) / (dearest - cheapest)) : 1;
  const discountVsOnDemand = offering.capacityType === 'on-demand' ? 0 : clamp01(1 - price / onDemand);
  const a = params.alternativesShare;
  return {
    score: clamp01(a * relativeToCandidates + (1 - a) * discountVsOnDemand),
    relativeToCandidates,
    discountVsOnDemand,
    inputs: {
      capacityType: offering.capacityType,
      pricePerHour: price,
      onDemandPricePerHour: onDemand,
      pricePerVcpuHour: price / vcpu,
      pricePerGibHour: price / memoryGib,
      demand,
      workloadPricePerHour: own,
      cheapestWorkloadPricePerHour: cheapest,
      dearestWorkloadPricePerHour: dearest,
      candidateCount: range.candidateCount,
    },
  };
}

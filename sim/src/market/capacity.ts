import type { Fleet, SimInstance } from '../core/fleet.ts';
import type { Rng } from '../core/rng.ts';
import { poolKey } from './price-history.ts';

export interface CapacityOptions {
  /** Range of instances a 2-vCPU type's pool holds; drawn log-uniformly per pool. */
  baseRange: readonly [number, number];
}

export const DEFAULT_CAPACITY_OPTIONS: CapacityOptions = { baseRange: [20, 400] };

/**
 * Finite capacity per pool (type × AZ), shared by spot and on-demand launches, as spot
 * runs on spare on-demand capacity. A pool's size is seeded (`rng.fork('capacity:' +
 * type + ':' + az)`) and shrinks with the type's size: a pool holds min(1, 4/vCPU) of the
 * base count, so a 96-vCPU type is 24× scarcer than a 4-vCPU one.
 * Use counts follow a Fleet: an instance holds its slot from launch until terminated.
 */
export class CapacityModel {
  private readonly capacities = new Map<string, number>();
  private readonly used = new Map<string, number>();
  private readonly tracked = new WeakSet<Fleet>();
  private readonly options: CapacityOptions;

  constructor(
    private readonly rng: Rng,
    private readonly vcpuOf: (instanceType: string) => number | undefined,
    options: Partial<CapacityOptions> = {},
  ) {
    this.options = { ...DEFAULT_CAPACITY_OPTIONS, ...options };
  }

  /** Counts the fleet's live instances and follows its launches and terminations; idempotent. */
  track(fleet: Fleet): void {
    if (this.tracked.has(fleet)) return;
    this.tracked.add(fleet);
    for (const i of fleet.live()) this.adjust(i, 1);
    fleet.on('launched', (i) => this.adjust(i, 1));
    fleet.on('terminated', (i) => this.adjust(i, -1));
  }

  capacity(instanceType: string, availabilityZone: string): number {
    const key = poolKey(instanceType, availabilityZone);
    let c = this.capacities.get(key);
    if (c === undefined) {
      c = this.seeded(instanceType, availabilityZone);
      this.capacities.set(key, c);
    }
    return c;
  }

  /** Test and scenario hook: fixes a pool's total capacity. */
  setCapacity(instanceType: string, availabilityZone: string, capacity: number): void {
    this.capacities.set(poolKey(instanceType, availabilityZone), Math.max(0, Math.floor(capacity)));
  }

  usedCount(instanceType: string, availabilityZone: string): number {
    return this.used.get(poolKey(instanceType, availabilityZone)) ?? 0;
  }

  available(instanceType: string, availabilityZone: string): number {
    return Math.max(0, this.capacity(instanceType, availabilityZone) - this.usedCount(instanceType, availabilityZone));
  }

  /** used / capacity; 1 for an empty pool. */
  utilization(instanceType: string, availabilityZone: string): number {
    const c = this.capacity(instanceType, availabilityZone);
    return c === 0 ? 1 : this.usedCount(instanceType, availabilityZone) / c;
  }

  private adjust(i: SimInstance, delta: number): void {
    const key = poolKey(i.instanceType, i.availabilityZone);
    this.used.set(key, Math.max(0, (this.used.get(key) ?? 0) + delta));
  }

  private seeded(instanceType: string, availabilityZone: string): number {
    const r = this.rng.fork(`capacity:${instanceType}:${availabilityZone}`).next();
    const [lo, hi] = this.options.baseRange;
    const base = Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * r);
    const vcpu = this.vcpuOf(instanceType) ?? 2;
    return Math.max(1, Math.round(base * Math.min(1, 4 / Math.max(1, vcpu))));
  }
}

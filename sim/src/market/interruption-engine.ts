import type { Clock } from '@ballast/common';
import type { Fleet, ScheduledEvent, SimInstance } from '../core/fleet.ts';
import type { Rng } from '../core/rng.ts';
import type { SpotMarket } from './spot-market.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface InterruptionEngineOptions {
  fleet: Fleet;
  market: SpotMarket;
  clock: Clock;
  rng: Rng;
  /** Share of interruptions preceded by a rebalance recommendation. */
  rebalanceShare?: number;
  /** Minutes between the rebalance recommendation and the interruption notice. */
  rebalanceLeadMinutes?: readonly [number, number];
  /** Scheduled events (retirement or reboot) per instance per 730-hour month. */
  scheduledEventsPerMonth?: number;
  /** Days between an event's creation and its start. */
  scheduledEventLeadDays?: readonly [number, number];
  /**
   * Multiplies every hazard. Scenarios and tests raise it to see interruptions within
   * a short virtual time; 1 is the calibrated market.
   */
  hazardMultiplier?: number;
}

/** One decision of the engine, for replays and assertions. */
export interface InterruptionRecord {
  instanceId: string;
  /** Virtual minute (ms since epoch / 60 000) when it was decided. */
  decidedAtMinute: number;
  rebalanceAtMs: number | null;
  noticeAtMs: number;
}

/**
 * Decides spot interruptions and scheduled events, once per virtual minute.
 *
 * For each running spot instance without a pending decision, the draw for minute m
 * comes from `rng.fork('interrupt:' + instanceId + ':' + m)`, so the outcome depends only
 * on the seed, the instance and the minute — not on how many other instances exist or
 * in which order they are visited. A hit (u < 1 − e^(−hazard/60)) is an interruption:
 * with probability `rebalanceShare` it is announced by a rebalance recommendation now
 * and the 2-minute notice follows k ∈ `rebalanceLeadMinutes` minutes later; otherwise the
 * notice is immediate. Fleet.interrupt then terminates the instance 2 minutes after the
 * notice, as AWS does.
 */
export class InterruptionEngine {
  readonly records: InterruptionRecord[] = [];
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly o: Required<Omit<InterruptionEngineOptions, 'fleet' | 'market' | 'clock' | 'rng'>>;

  constructor(private readonly deps: InterruptionEngineOptions) {
    this.o = {
      rebalanceShare: deps.rebalanceShare ?? 0.6,
      rebalanceLeadMinutes: deps.rebalanceLeadMinutes ?? [10, 30],
      scheduledEventsPerMonth: deps.scheduledEventsPerMonth ?? 0.02,
      scheduledEventLeadDays: deps.scheduledEventLeadDays ?? [3, 14],
      hazardMultiplier: deps.hazardMultiplier ?? 1,
    };
  }

  /** Ticks at every virtual minute boundary from now on. Safe to call twice. */
  start(): void {
    if (this.timer) return;
    this.deps.market.capacity.track(this.deps.fleet);
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const now = this.deps.clock.now();
    const next = (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS;
    this.timer = this.deps.clock.setTimeout(() => {
      this.tick(Math.round(this.deps.clock.now() / MINUTE_MS));
      if (this.timer) this.schedule();
    }, next - now);
  }

  /** One minute's decisions; public so scenario code can drive it without timers. */
  tick(minute: number): void {
    const { fleet, market, clock } = this.deps;
    const now = clock.now();
    const hazards = new Map<string, number>();
    for (const inst of fleet.list()) {
      if (inst.state !== 'running') continue;
      const rng = this.deps.rng.fork(`interrupt:${inst.id}:${minute}`);
      const interruptDraw = rng.next();
      const eventDraw = rng.next();
      if (inst.capacityType === 'spot' && !inst.interruption && !this.pending.has(inst.id)) {
        const pool = `${inst.instanceType}|${inst.availabilityZone}`;
        let h = hazards.get(pool);
        if (h === undefined) {
          h = market.interruptionHazardPerHour(inst.instanceType, inst.availabilityZone, now) * this.o.hazardMultiplier;
          hazards.set(pool, h);
        }
        if (interruptDraw < 1 - Math.exp(-h / 60)) this.decideInterruption(inst, minute, rng);
      }
      const eventRate = this.o.scheduledEventsPerMonth / (730 * 60);
      if (eventDraw < eventRate) this.createScheduledEvent(inst, rng);
    }
  }

  private decideInterruption(inst: SimInstance, minute: number, rng: Rng): void {
    const { fleet, clock } = this.deps;
    const now = clock.now();
    const withRebalance = rng.next() < this.o.rebalanceShare;
    const [lo, hi] = this.o.rebalanceLeadMinutes;
    const lead = withRebalance ? rng.int(lo, hi) : 0;
    const record: InterruptionRecord = {
      instanceId: inst.id,
      decidedAtMinute: minute,
      rebalanceAtMs: withRebalance ? now : null,
      noticeAtMs: now + lead * MINUTE_MS,
    };
    this.records.push(record);
    if (!withRebalance) {
      fleet.interrupt(inst.id);
      return;
    }
    this.pending.add(inst.id);
    fleet.recommendRebalance(inst.id);
    clock.setTimeout(() => {
      this.pending.delete(inst.id);
      fleet.interrupt(inst.id);
    }, lead * MINUTE_MS);
  }

  private createScheduledEvent(inst: SimInstance, rng: Rng): void {
    const { fleet, clock } = this.deps;
    const now = clock.now();
    const code: ScheduledEvent['code'] = rng.next() < 0.5 ? 'instance-retirement' : 'system-reboot';
    const [lo, hi] = this.o.scheduledEventLeadDays;
    const notBeforeMs = now + lo * DAY_MS + Math.floor(rng.next() * (hi - lo) * DAY_MS);
    const event: ScheduledEvent = {
      code,
      description: code === 'instance-retirement' ? 'The instance is running on degraded hardware' : 'scheduled reboot',
      eventId: `instance-event-${rng.int(0, 0xffffffff).toString(16).padStart(8, '0')}${inst.id.slice(-9)}`,
      notBeforeMs,
      notAfterMs: code === 'system-reboot' ? notBeforeMs + 2 * 3_600_000 : notBeforeMs,
      state: 'active',
    };
    inst.scheduledEvents.push(event);
    clock.setTimeout(() => {
      if (event.state !== 'active') return;
      event.state = 'completed';
      if (code === 'instance-retirement') fleet.terminate(inst.id, 'Server.ScheduledStop: Stopped due to scheduled retirement');
    }, notBeforeMs - now);
  }
}

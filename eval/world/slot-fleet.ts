import { EventEmitter } from 'node:events';
import type { Fleet, FleetEventMap, InterruptionAction, SimInstance } from '../../sim/src/core/fleet.ts';
import type { VirtualClock } from './virtual-clock.ts';

const NOTICE_MS = 120_000;

export interface SlotLaunch {
  instanceType: string;
  availabilityZone: string;
  capacityType: 'spot' | 'on-demand';
  /** Virtual ms from launch to running. */
  bootMs: number;
}

/**
 * The EC2 instances of one strategy's replay, shaped like the simulator's Fleet so the
 * simulator's InterruptionEngine and CapacityModel run on it unchanged — with one
 * difference that makes the comparison fair: an instance's id names its pool and its slot
 * there, `type|zone#k` with k the lowest slot free, so the engine's per-instance draw
 * (`interrupt:<id>:<minute>`) is the same for every strategy that runs a k-th node in that
 * pool at that minute. (Common random numbers: the strategies differ by where they run nodes,
 * not by luck of the draw.) A slot whose instance still has an interruption pending is not
 * reused until the engine delivers it, so a notice never lands on a successor.
 */
export class SlotFleet extends EventEmitter<FleetEventMap> {
  private readonly instances = new Map<string, SimInstance>();
  /** Ids with a rebalance recommendation whose notice the engine has not delivered yet. */
  private readonly awaiting = new Set<string>();

  constructor(private readonly clock: VirtualClock) {
    super();
    this.setMaxListeners(0);
  }

  /** The simulator's view of this fleet (InterruptionEngine, CapacityModel). */
  asFleet(): Fleet {
    return this as unknown as Fleet;
  }

  launch(spec: SlotLaunch): SimInstance {
    const pool = `${spec.instanceType}|${spec.availabilityZone}`;
    let k = 0;
    while (this.instances.has(`${pool}#${k}`) || this.awaiting.has(`${pool}#${k}`)) k++;
    const id = `${pool}#${k}`;
    const now = this.clock.now();
    const inst: SimInstance = {
      id,
      instanceType: spec.instanceType,
      availabilityZone: spec.availabilityZone,
      capacityType: spec.capacityType,
      state: 'pending',
      stateReason: '',
      launchTimeMs: now,
      terminatedAtMs: null,
      privateIp: '',
      privateDnsName: id,
      imageId: 'ami-replay',
      subnetId: `subnet-${spec.availabilityZone}`,
      tags: {},
      clientToken: null,
      spotPriceAtLaunch: null,
      interruption: null,
      rebalanceAtMs: null,
      scheduledEvents: [],
    };
    this.instances.set(id, inst);
    this.emit('launched', inst);
    this.clock.setTimeout(() => {
      if (inst.state !== 'pending') return;
      inst.state = 'running';
      this.emit('running', inst);
    }, spec.bootMs);
    return inst;
  }

  /** Terminates at once (the replay does not model shutting-down); the slot is free again. */
  terminate(id: string, reason: string): SimInstance | undefined {
    const inst = this.instances.get(id);
    if (!inst) return undefined;
    this.instances.delete(id);
    inst.state = 'terminated';
    inst.stateReason = reason;
    inst.terminatedAtMs = this.clock.now();
    // A retirement timer of the engine must not hit a successor in the slot.
    for (const e of inst.scheduledEvents) if (e.state === 'active') e.state = 'canceled';
    this.emit('terminated', inst);
    return inst;
  }

  interrupt(id: string, action: InterruptionAction = 'terminate'): SimInstance | undefined {
    this.awaiting.delete(id);
    const inst = this.instances.get(id);
    if (inst?.state !== 'running' || inst.interruption) return inst;
    const now = this.clock.now();
    inst.interruption = { noticeAtMs: now, actionAtMs: now + NOTICE_MS, action };
    this.emit('interruption-notice', inst);
    this.clock.setTimeout(() => {
      if (this.instances.get(id) === inst) this.terminate(id, 'Server.SpotInstanceTermination: Spot instance termination');
    }, NOTICE_MS);
    return inst;
  }

  recommendRebalance(id: string): SimInstance | undefined {
    const inst = this.instances.get(id);
    if (inst?.state !== 'running' || inst.rebalanceAtMs !== null) return inst;
    inst.rebalanceAtMs = this.clock.now();
    this.awaiting.add(id);
    this.emit('rebalance', inst);
    return inst;
  }

  get(id: string): SimInstance | undefined {
    return this.instances.get(id);
  }

  /** Live instances only: the engine skips the rest anyway, and the list stays short. */
  list(): SimInstance[] {
    return [...this.instances.values()];
  }

  live(): SimInstance[] {
    return this.list();
  }
}

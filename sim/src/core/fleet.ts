import { EventEmitter } from 'node:events';
import type { SimClock } from './sim-clock.ts';

export type CapacityType = 'spot' | 'on-demand';
export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** AWS's instance-action values for a spot interruption. */
export type InterruptionAction = 'terminate' | 'stop' | 'hibernate';

export interface InterruptionNotice {
  /** When the 2-minute notice appears in IMDS and EventBridge. */
  noticeAtMs: number;
  /** When the instance is taken away (noticeAtMs + 120 s). */
  actionAtMs: number;
  action: InterruptionAction;
}

export interface ScheduledEvent {
  code: 'instance-reboot' | 'system-reboot' | 'system-maintenance' | 'instance-retirement' | 'instance-stop';
  description: string;
  eventId: string;
  notBeforeMs: number;
  notAfterMs: number;
  state: 'active' | 'completed' | 'canceled';
}

export interface SimInstance {
  id: string;
  instanceType: string;
  availabilityZone: string;
  capacityType: CapacityType;
  state: InstanceState;
  stateReason: string;
  launchTimeMs: number;
  terminatedAtMs: number | null;
  privateIp: string;
  /** Also the Kubernetes node name, as on EKS: ip-10-0-1-2.ec2.internal. */
  privateDnsName: string;
  imageId: string;
  subnetId: string;
  tags: Record<string, string>;
  clientToken: string | null;
  /** Spot price of the pool when launched (USD/hour); null for on-demand. */
  spotPriceAtLaunch: number | null;
  interruption: InterruptionNotice | null;
  rebalanceAtMs: number | null;
  scheduledEvents: ScheduledEvent[];
}

export interface LaunchSpec {
  instanceType: string;
  availabilityZone: string;
  capacityType: CapacityType;
  imageId: string;
  subnetId?: string;
  tags?: Record<string, string>;
  clientToken?: string | null;
  spotPriceAtLaunch?: number | null;
}

export interface FleetEventMap {
  /** RunInstances/CreateFleet accepted it (state pending). */
  launched: [SimInstance];
  /** Boot finished (state running); the node's kubelet registers after this. */
  running: [SimInstance];
  /** A spot interruption notice was issued. */
  'interruption-notice': [SimInstance];
  /** An EC2 rebalance recommendation was issued. */
  rebalance: [SimInstance];
  /** Terminated (by API, interruption or scheduled retirement). */
  terminated: [SimInstance];
}

/** The tag that says which simulated cluster an instance belongs to. */
export const CLUSTER_TAG = 'ballast.io/cluster';

export interface FleetOptions {
  /** Virtual ms from launch to running. */
  bootDelayMs: number;
  /** Virtual ms spent shutting down before terminated. */
  shutdownDelayMs: number;
}

/**
 * The simulator's single source of truth about EC2 instances. The EC2 endpoint changes it;
 * the Kubernetes API server, the IMDS servers and the interruption engine listen to its
 * events. All time is the injected clock's.
 */
export class Fleet extends EventEmitter<FleetEventMap> {
  private readonly instances = new Map<string, SimInstance>();
  private counter = 0;

  constructor(
    readonly clock: SimClock,
    /** Mutable so a scenario can, e.g., seed its first nodes with a short boot. */
    readonly options: FleetOptions,
  ) {
    super();
    this.setMaxListeners(0);
  }

  launch(spec: LaunchSpec): SimInstance {
    this.counter += 1;
    const n = this.counter;
    const ip = `10.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
    const instance: SimInstance = {
      id: `i-${n.toString(16).padStart(17, '0')}`,
      instanceType: spec.instanceType,
      availabilityZone: spec.availabilityZone,
      capacityType: spec.capacityType,
      state: 'pending',
      stateReason: '',
      launchTimeMs: this.clock.now(),
      terminatedAtMs: null,
      privateIp: ip,
      privateDnsName: `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
      imageId: spec.imageId,
      subnetId: spec.subnetId ?? `subnet-${spec.availabilityZone.replaceAll('-', '')}`,
      tags: { ...spec.tags },
      clientToken: spec.clientToken ?? null,
      spotPriceAtLaunch: spec.spotPriceAtLaunch ?? null,
      interruption: null,
      rebalanceAtMs: null,
      scheduledEvents: [],
    };
    this.instances.set(instance.id, instance);
    this.emit('launched', instance);
    this.clock.setTimeout(() => {
      if (instance.state !== 'pending') return;
      instance.state = 'running';
      this.emit('running', instance);
    }, this.options.bootDelayMs);
    return instance;
  }

  /** Starts termination; idempotent. `reason` becomes the StateReason message. */
  terminate(id: string, reason: string): SimInstance | undefined {
    const instance = this.instances.get(id);
    if (!instance || instance.state === 'terminated' || instance.state === 'shutting-down') return instance;
    instance.state = 'shutting-down';
    instance.stateReason = reason;
    this.clock.setTimeout(() => {
      instance.state = 'terminated';
      instance.terminatedAtMs = this.clock.now();
      this.emit('terminated', instance);
    }, this.options.shutdownDelayMs);
    return instance;
  }

  /** Records a spot interruption notice now; the instance is terminated at the action time. */
  interrupt(id: string, action: InterruptionAction = 'terminate'): SimInstance | undefined {
    const instance = this.instances.get(id);
    if (instance?.state !== 'running' || instance.interruption) return instance;
    const now = this.clock.now();
    instance.interruption = { noticeAtMs: now, actionAtMs: now + 120_000, action };
    this.emit('interruption-notice', instance);
    this.clock.setTimeout(() => this.terminate(id, 'Server.SpotInstanceTermination: Spot instance termination'), 120_000);
    return instance;
  }

  recommendRebalance(id: string): SimInstance | undefined {
    const instance = this.instances.get(id);
    if (instance?.state !== 'running' || instance.rebalanceAtMs !== null) return instance;
    instance.rebalanceAtMs = this.clock.now();
    this.emit('rebalance', instance);
    return instance;
  }

  get(id: string): SimInstance | undefined {
    return this.instances.get(id);
  }

  list(): SimInstance[] {
    return [...this.instances.values()];
  }

  /** Instances not yet terminated. */
  live(): SimInstance[] {
    return this.list().filter((i) => i.state !== 'terminated');
  }
}

export { Fleet, CLUSTER_TAG, type SimInstance, type LaunchSpec, type CapacityType, type InstanceState, type ScheduledEvent, type InterruptionNotice } from './core/fleet.ts';
export { Rng, hash32 } from './core/rng.ts';
export { ManualClock, ScaledClock, type SimClock } from './core/sim-clock.ts';

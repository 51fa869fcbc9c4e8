export * from './agents/index.ts';
export {
  type CapacityType,
  CLUSTER_TAG,
  Fleet,
  type InstanceState,
  type InterruptionNotice,
  type LaunchSpec,
  type ScheduledEvent,
  type SimInstance,
} from './core/fleet.ts';
export { hash32, Rng } from './core/rng.ts';
export { ManualClock, ScaledClock, type SimClock } from './core/sim-clock.ts';
export * from './ec2/index.ts';
export * from './imds/index.ts';
export * from './kube/index.ts';
export * from './market/index.ts';
export { SIM_CONFIG, type SimConfig } from './sim-config.ts';
export { clusterName, type Simulation, type SimulationOptions, startSimulation } from './simulation.ts';

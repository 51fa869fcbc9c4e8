/**
 * What bench/api.ts and the hub process it starts (bench/api/hub-server.ts) tell each other
 * over the child's IPC channel. Times that cross the process boundary are wall-clock
 * milliseconds with sub-millisecond precision (performance.timeOrigin + performance.now()),
 * so both processes read the same clock; the driver measures the offset between them.
 */

/** The world the hub is seeded with before it answers anyone. */
export interface SeedSpec {
  tenant: string;
  clusters: number;
  nodes: number;
  decisions: number;
}

/** One node as its agent's Hello names it. */
export interface SeedNode {
  tenant: string;
  cluster: string;
  node: string;
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  lifecycle: string;
  agentVersion: string;
}

export type ToHub =
  | { type: 'clock'; sentAt: number }
  | { type: 'publish'; events: number; ratePerSecond: number; tenant: string; cluster: string }
  | { type: 'stats-reset' }
  | { type: 'stats' }
  /** Starts a V8 CPU profile of the hub; `profile-stop` writes it to `file`. */
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'stop' };

export interface ServerStats {
  /** Hub process CPU (user + system) seconds since the last stats-reset. */
  cpuSeconds: number;
  rssMiB: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export type FromHub =
  | { type: 'ready'; port: number; nodes: SeedNode[]; streamSubscribers: number }
  | { type: 'clock'; sentAt: number; hubAt: number }
  | { type: 'published'; events: number; lateMsMax: number }
  | { type: 'stats'; stats: ServerStats; streamSubscribers: number }
  | { type: 'profiled'; file: string }
  | { type: 'failed'; message: string };

/** Wall-clock ms with sub-ms precision, comparable across processes of one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

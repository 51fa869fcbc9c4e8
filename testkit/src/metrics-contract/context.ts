import { randomUUID } from 'node:crypto';
import type {
  AgentRecord,
  BatchRecord,
  GroupedRangeSeries,
  MetricsStore,
  RangeSeries,
  SampleBlock,
  SeriesRecord,
} from '../../../hub/src/store/metrics-store.ts';

/**
 * What every concern of the MetricsStore contract reaches the store through. `store` is a getter because
 * the store is made in the suite's `beforeAll`, after the concerns have registered their tests.
 */
export interface MetricsContractContext {
  readonly store: MetricsStore;
}

/** Each test writes under its own tenant, so one store serves the whole suite. */
export const tenantFor = (what: string) => `contract-${what}-${randomUUID().slice(0, 8)}`;

export function series(tenant: string, id: bigint, over: Partial<SeriesRecord> = {}): SeriesRecord {
  return {
    id,
    tenant,
    cluster: 'c1',
    node: 'n1',
    metric: 'node_cpu_mode_percent',
    labels: {},
    kind: 'gauge',
    unit: 'percent',
    ...over,
  };
}

export function block(points: Array<[id: bigint, tsMs: number, value: number]>): SampleBlock {
  const b: SampleBlock = {
    length: points.length,
    seriesLo: new Uint32Array(points.length),
    seriesHi: new Uint32Array(points.length),
    timestampsMs: new Float64Array(points.length),
    values: new Float64Array(points.length),
  };
  points.forEach(([id, ts, v], i) => {
    b.seriesLo[i] = Number(id & 0xffff_ffffn);
    b.seriesHi[i] = Number(id >> 32n);
    b.timestampsMs[i] = ts;
    b.values[i] = v;
  });
  return b;
}

export function batchRecord(tenant: string, sequence: number, over: Partial<BatchRecord> = {}): BatchRecord {
  return {
    tenant,
    cluster: 'c1',
    node: 'n1',
    epoch: 1_700_000_000_000_123n,
    sequence: BigInt(sequence),
    points: 1,
    status: 'stored',
    ...over,
  };
}

/** A range answer as one row per point, ordered as the answer is, so assertions can compare points. */
export function flatten(answer: RangeSeries[]): Array<{ seriesId: bigint; t: number; value: number }> {
  return answer.flatMap((s) => Array.from(s.t, (t, i) => ({ seriesId: s.seriesId, t, value: s.values[i] as number })));
}

export function flattenGroups(answer: GroupedRangeSeries[]): Array<{ group: number; t: number; value: number }> {
  return answer.flatMap((s) => Array.from(s.t, (t, i) => ({ group: s.group, t, value: s.values[i] as number })));
}

export function agent(tenant: string, over: Partial<AgentRecord> = {}): AgentRecord {
  return {
    tenant,
    cluster: 'c1',
    node: 'n1',
    instanceId: 'i-0123456789abcdef0',
    instanceType: 'm5.large',
    availabilityZone: 'eu-west-1a',
    lifecycle: 'spot',
    agentVersion: '0.1.0',
    connected: true,
    lastSeenMs: Date.UTC(2025, 0, 1, 0, 0, 0, 123),
    ...over,
  };
}

export const ids = (rows: SeriesRecord[]) => rows.map((r) => r.id);
export const sorted = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

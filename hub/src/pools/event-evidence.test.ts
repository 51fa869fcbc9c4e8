import { describe, expect, it } from 'vitest';
import type { AgentRecord, EventRecord } from '../store/metrics-store.ts';
import { recordEventEvidence } from './event-evidence.ts';
import { RecordedPoolEvidence } from './pool-evidence.ts';

const agent: AgentRecord = {
  tenant: 't',
  cluster: 'c',
  node: 'n1',
  instanceId: 'i-1',
  instanceType: 'm5.large',
  availabilityZone: 'us-east-1a',
  lifecycle: 'spot',
  agentVersion: '0.1.0',
  connected: true,
  lastSeenMs: 0,
};
const event = (kind: string, node = 'n1', timeMs = 5_000): EventRecord => ({
  tenant: 't',
  cluster: 'c',
  node,
  id: `${kind}-${timeMs}`,
  kind,
  timeMs,
  deadlineMs: 0,
  message: '',
  attributes: {},
});
const agents = (t: string, c: string, n: string) => (t === 't' && c === 'c' && n === 'n1' ? agent : undefined);

describe('recordEventEvidence', () => {
  it('counts interruptions and rebalances against the agent spot pool, inside the window only', async () => {
    const evidence = new RecordedPoolEvidence();
    expect(recordEventEvidence(event('spot_interruption'), agents, evidence)).toBe(true);
    expect(recordEventEvidence(event('rebalance_recommendation'), agents, evidence)).toBe(true);
    expect(recordEventEvidence(event('spot_interruption', 'n1', 50_000), agents, evidence)).toBe(true);
    const seen = await evidence.evidence({ fromMs: 0, toMs: 10_000 });
    expect(seen.get('m5.large|us-east-1a|spot')).toMatchObject({ interruptions: 1, rebalanceRecommendations: 1 });
  });

  it('skips other kinds and agents it does not know', async () => {
    const evidence = new RecordedPoolEvidence();
    expect(recordEventEvidence(event('drain_progress'), agents, evidence)).toBe(false);
    expect(recordEventEvidence(event('spot_interruption', 'stranger'), agents, evidence)).toBe(false);
    expect((await evidence.evidence({ fromMs: 0, toMs: 1e9 })).size).toBe(0);
  });

  it('adds up instance-hours overlapping the window', async () => {
    const evidence = new RecordedPoolEvidence();
    evidence.ran('p', 0, 10 * 3_600_000);
    evidence.ran('p', 20 * 3_600_000, 30 * 3_600_000);
    expect((await evidence.evidence({ fromMs: 5 * 3_600_000, toMs: 25 * 3_600_000 })).get('p')?.instanceHours).toBeCloseTo(10);
  });
});

import { describe, expect, it } from 'vitest';
// The agent's copy of the wire names: neither package may import the other, so this test keeps them equal.
import * as agent from '../../agent/src/transport/nats-naming.ts';
import * as hub from '../src/ingest/nats-naming.ts';

const ids = [
  { tenant: '', cluster: 'prod', node: 'ip-10-0-0-1.ec2.internal' },
  { tenant: 'acme', cluster: 'eu west/1', node: 'nöde*>' },
  { tenant: '=', cluster: '=3d', node: 'a.b' },
];

describe('NATS wire names', () => {
  it('are the same on the agent and the hub', () => {
    expect([hub.NATS_STREAM, hub.NATS_DATA_SUBJECTS, hub.SERIES_BUCKET, hub.AGENTS_BUCKET, hub.SERIES_CHUNK]).toEqual([
      agent.NATS_STREAM,
      agent.NATS_DATA_SUBJECTS,
      agent.SERIES_BUCKET,
      agent.AGENTS_BUCKET,
      agent.SERIES_CHUNK,
    ]);
    expect(hub.HEADER).toEqual(agent.HEADER);
    for (const id of ids) {
      expect(hub.dataSubject(id)).toBe(agent.dataSubject(id));
      expect(hub.commandSubject(id)).toBe(agent.commandSubject(id));
      expect(hub.agentKey(id)).toBe(agent.agentKey(id));
      expect(hub.seriesKey(id, 7n, 2)).toBe(agent.seriesKey(id, 7n, 2));
      expect(hub.batchMsgId(id, 7n, 9n)).toBe(agent.batchMsgId(id, 7n, 9n));
      expect(hub.eventMsgId(id, 7n, 'e1')).toBe(agent.eventMsgId(id, 7n, 'e1'));
    }
  });

  it('encode every name into one subject token and KV key token, injectively', () => {
    const names = ['', '=', '=3d', 'a.b', 'a_b', 'a-b', 'ip-10-0-0-1.ec2.internal', 'nöde', '*', '>', ' ', 'A'];
    const tokens = names.map(hub.token);
    expect(new Set(tokens).size).toBe(names.length);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_=-]+$/);
    expect(hub.token('ip-10-0-0-1.ec2.internal')).toBe('ip-10-0-0-1=2eec2=2einternal');
    expect(hub.parseDataSubject(hub.dataSubject(ids[0] as (typeof ids)[0]))).toEqual({
      tenant: '=',
      cluster: 'prod',
      node: 'ip-10-0-0-1=2eec2=2einternal',
    });
    expect(hub.parseDataSubject('ballast.a.b.c.cmd')).toBeNull();
  });
});

import * as hub from '@ballast/proto/nats-naming';
import { describe, expect, it } from 'vitest';

const ids = [
  { tenant: '', cluster: 'prod', node: 'ip-10-0-0-1.ec2.internal' },
  { tenant: 'acme', cluster: 'eu west/1', node: 'nöde*>' },
  { tenant: '=', cluster: '=3d', node: 'a.b' },
];

describe('NATS wire names', () => {
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

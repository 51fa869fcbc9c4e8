import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/sim-clock.ts';
import { ObjectStore } from '../../src/kube/object-store.ts';
import { R } from '../../src/kube/resources.ts';

describe('ObjectStore', () => {
  const lease = (name: string) => ({ metadata: { name, namespace: 'default' }, spec: { holderIdentity: 'a' } });

  it('assigns uid, creationTimestamp and a global increasing resourceVersion; rejects stale updates', () => {
    const store = new ObjectStore(new ManualClock(Date.parse('2025-02-03T04:05:06Z')));
    const a = store.create(R.leases, lease('a'));
    const b = store.create(R.leases, lease('b'));
    expect(a.metadata).toMatchObject({ uid: expect.any(String), creationTimestamp: '2025-02-03T04:05:06Z' });
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(() => store.create(R.leases, lease('a'))).toThrow(/already exists/);
    const updated = store.replace(R.leases, { ...a, spec: { holderIdentity: 'b' } });
    expect(updated.metadata.uid).toBe(a.metadata.uid);
    expect(() => store.replace(R.leases, { ...a, spec: { holderIdentity: 'c' } })).toThrow(/the object has been modified/);
  });

  it('bumps generation on spec changes of workloads only', () => {
    const store = new ObjectStore(new ManualClock(0));
    const d = store.create(R.deployments, { metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 1 } });
    expect(d.metadata.generation).toBe(1);
    const s = store.mutate(R.deployments, 'default', 'd', (x) => {
      x.status = { replicas: 1 };
    });
    expect(s?.metadata.generation).toBe(1);
    const g = store.mutate(R.deployments, 'default', 'd', (x) => {
      x.spec = { replicas: 2 };
    });
    expect(g?.metadata.generation).toBe(2);
  });

  it('replays events after a resourceVersion, and 410s once history is compacted or trimmed', () => {
    const store = new ObjectStore(new ManualClock(0), { historyLimit: 4 });
    const rv0 = store.resourceVersion;
    store.create(R.leases, lease('a'));
    store.remove(R.leases, 'default', 'a');
    expect(store.eventsSince(R.leases, rv0).map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    for (let i = 0; i < 10; i++) store.create(R.leases, lease(`l${i}`));
    expect(() => store.eventsSince(R.leases, rv0)).toThrow(/too old resource version/);
    const now = store.resourceVersion;
    store.compact();
    expect(store.eventsSince(R.leases, now)).toEqual([]);
    expect(() => store.eventsSince(R.leases, now - 1)).toThrow(expect.objectContaining({ code: 410, reason: 'Expired' }));
  });
});

import { describe, expect, it } from 'vitest';
import { EventBus, type StreamSink } from './event-bus.ts';
import { StreamCursorError } from './stream-cursor.ts';
import type { StreamEvent, StreamEventInput } from './stream-event.ts';

const ev = (over: Partial<StreamEventInput> = {}): StreamEventInput => ({
  kind: 'interruption',
  tenant: 'acme',
  cluster: 'prod',
  node: 'n1',
  at: 1_000,
  data: {},
  ...over,
});

function collector() {
  const events: Array<{ e: StreamEvent; cursor: string }> = [];
  const resets: string[] = [];
  const sink: StreamSink = { event: (e, cursor) => events.push({ e, cursor }), reset: (reason) => resets.push(reason) };
  return { events, resets, sink };
}

describe('EventBus', () => {
  it('numbers events in publish order and delivers them live', () => {
    const bus = new EventBus({ epoch: 'e1' });
    const c = collector();
    bus.subscribe({ tenant: null }, undefined, c.sink);
    bus.publish(ev());
    bus.publish(ev({ kind: 'rebalance' }));
    expect(c.events.map((x) => [x.e.id, x.cursor])).toEqual([
      [1, 'e1-1'],
      [2, 'e1-2'],
    ]);
    expect(bus.latestCursor()).toBe('e1-2');
  });

  it('keeps a tenant-bound subscriber to its tenant and applies kind and cluster filters', () => {
    const bus = new EventBus();
    const acme = collector();
    const filtered = collector();
    bus.subscribe({ tenant: 'acme' }, undefined, acme.sink);
    bus.subscribe({ tenant: null, kinds: new Set(['decision']), cluster: 'prod' }, undefined, filtered.sink);
    bus.publish(ev({ tenant: 'other' }));
    bus.publish(ev({ tenant: 'acme', kind: 'decision', cluster: 'dev' }));
    bus.publish(ev({ tenant: 'other', kind: 'decision', cluster: 'prod' }));
    expect(acme.events.map((x) => x.e.id)).toEqual([2]);
    expect(filtered.events.map((x) => x.e.id)).toEqual([3]);
  });

  it('replays what came after a cursor, then goes live with nothing missed or repeated', () => {
    const bus = new EventBus({ epoch: 'e1' });
    for (let i = 0; i < 5; i++) bus.publish(ev());
    const c = collector();
    bus.subscribe({ tenant: null }, 'e1-2', c.sink);
    bus.publish(ev());
    expect(c.events.map((x) => x.e.id)).toEqual([3, 4, 5, 6]);
    expect(c.resets).toEqual([]);
  });

  it('resets a cursor older than the ring, and one from another bus', () => {
    const bus = new EventBus({ capacity: 3, epoch: 'e1' });
    for (let i = 0; i < 6; i++) bus.publish(ev());
    const old = collector();
    bus.subscribe({ tenant: null }, 'e1-2', old.sink);
    expect(old.resets).toEqual(['cursor-too-old']);
    expect(old.events).toEqual([]);
    // 3 is the last one not kept: everything after it (4..6) still is.
    const edge = collector();
    bus.subscribe({ tenant: null }, 'e1-3', edge.sink);
    expect(edge.events.map((x) => x.e.id)).toEqual([4, 5, 6]);
    const foreign = collector();
    bus.subscribe({ tenant: null }, 'other-1', foreign.sink);
    expect(foreign.resets).toEqual(['cursor-unknown']);
    const future = collector();
    bus.subscribe({ tenant: null }, 'e1-99', future.sink);
    expect(future.resets).toEqual(['cursor-unknown']);
  });

  it('refuses a malformed cursor', () => {
    expect(() => new EventBus().subscribe({ tenant: null }, 'nope', collector().sink)).toThrow(StreamCursorError);
  });

  it('drops a sink that throws and keeps delivering to the others', () => {
    const errors: unknown[] = [];
    const bus = new EventBus({ onSinkError: (e) => errors.push(e) });
    const good = collector();
    bus.subscribe({ tenant: null }, undefined, {
      event: () => {
        throw new Error('broken');
      },
      reset: () => {},
    });
    bus.subscribe({ tenant: null }, undefined, good.sink);
    bus.publish(ev());
    bus.publish(ev());
    expect(good.events).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(bus.subscriberCount).toBe(1);
  });

  it('stops delivering after close', () => {
    const bus = new EventBus();
    const c = collector();
    const sub = bus.subscribe({ tenant: null }, undefined, c.sink);
    sub.close();
    bus.publish(ev());
    expect(c.events).toEqual([]);
    expect(bus.subscriberCount).toBe(0);
  });
});

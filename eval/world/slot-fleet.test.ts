import { describe, expect, it } from 'vitest';
import { SlotFleet } from './slot-fleet.ts';
import { VirtualClock } from './virtual-clock.ts';

const spec = { instanceType: 'm5.xlarge', availabilityZone: 'us-east-1a', capacityType: 'spot' as const, bootMs: 60_000 };

describe('SlotFleet', () => {
  it('names instances by pool slot and reuses the lowest free slot', () => {
    const f = new SlotFleet(new VirtualClock(0));
    const a = f.launch(spec);
    const b = f.launch(spec);
    expect([a.id, b.id]).toEqual(['m5.xlarge|us-east-1a#0', 'm5.xlarge|us-east-1a#1']);
    f.terminate(a.id, 'test');
    expect(f.launch(spec).id).toBe('m5.xlarge|us-east-1a#0');
    expect(f.launch({ ...spec, availabilityZone: 'us-east-1b' }).id).toBe('m5.xlarge|us-east-1b#0');
  });

  it('holds a slot whose interruption is pending, so the notice never lands on a successor', () => {
    const clock = new VirtualClock(0);
    const f = new SlotFleet(clock);
    const a = f.launch(spec);
    clock.advanceTo(60_000);
    f.recommendRebalance(a.id);
    f.terminate(a.id, 'replaced after the warning');
    const b = f.launch(spec);
    expect(b.id).toBe('m5.xlarge|us-east-1a#1');
    f.interrupt(a.id);
    expect(b.interruption).toBeNull();
    expect(f.launch(spec).id).toBe('m5.xlarge|us-east-1a#0');
  });

  it('terminates an interrupted instance two minutes after the notice and cancels its scheduled events', () => {
    const clock = new VirtualClock(0);
    const f = new SlotFleet(clock);
    const terminated: string[] = [];
    f.on('terminated', (i) => terminated.push(i.id));
    const a = f.launch(spec);
    clock.advanceTo(60_000);
    a.scheduledEvents.push({
      code: 'instance-retirement',
      description: '',
      eventId: 'e1',
      notBeforeMs: 1e12,
      notAfterMs: 1e12,
      state: 'active',
    });
    f.interrupt(a.id);
    clock.advanceTo(60_000 + 119_999);
    expect(terminated).toEqual([]);
    clock.advanceTo(60_000 + 120_000);
    expect(terminated).toEqual([a.id]);
    expect(a.scheduledEvents[0]?.state).toBe('canceled');
  });
});

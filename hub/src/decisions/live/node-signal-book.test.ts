import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../store/metrics-store.ts';
import { NodeSignalBook } from './node-signal-book.ts';

const event = (kind: string, timeMs: number, deadlineMs = 0, node = 'n1'): EventRecord => ({
  tenant: 't',
  cluster: 'c',
  node,
  id: `${kind}-${timeMs}`,
  kind,
  timeMs,
  deadlineMs,
  message: '',
  attributes: {},
});

describe('NodeSignalBook', () => {
  it('keeps each kind of signal per node with the notice deadline, ignoring other events', () => {
    const book = new NodeSignalBook(60_000);
    expect(book.record(event('drain_progress', 1_000))).toBe(false);
    expect(book.record(event('rebalance_recommendation', 1_000))).toBe(true);
    expect(book.record(event('spot_interruption', 2_000, 122_000))).toBe(true);
    expect(book.signals('t', 'c', 'n1', 3_000)).toEqual({ interruptionNoticeAtMs: 2_000, rebalanceAtMs: 1_000, scheduledEventAtMs: null });
    expect(book.noticeDeadline('t', 'c', 'n1', 3_000)).toBe(122_000);
    expect(book.signals('t', 'c', 'n2', 3_000)).toBeNull();
    expect(book.signals('t', 'other', 'n1', 3_000)).toBeNull();
  });

  it('keeps the first time of a re-sent signal and forgets a node after keepMs without signals', () => {
    const book = new NodeSignalBook(60_000);
    book.record(event('scheduled_event', 5_000));
    book.record(event('scheduled_event', 9_000));
    expect(book.signals('t', 'c', 'n1', 10_000)?.scheduledEventAtMs).toBe(5_000);
    expect(book.signals('t', 'c', 'n1', 69_000)).not.toBeNull();
    expect(book.signals('t', 'c', 'n1', 69_001)).toBeNull();
    expect(book.noticeDeadline('t', 'c', 'n1', 69_001)).toBeNull();
  });
});

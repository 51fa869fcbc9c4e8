import { describe, expect, it } from 'vitest';
import { RiskTracker, typeKey } from './risk-tracker.ts';

describe('RiskTracker', () => {
  it('counts calm time from the first calm observation and resets it on anything else', () => {
    const r = new RiskTracker();
    r.observe(0, [{ key: 'p', risky: false, calm: true }]);
    r.observe(100, [{ key: 'p', risky: false, calm: true }]);
    expect(r.calmForMs('p', 150)).toBe(150);
    r.observe(200, [{ key: 'p', risky: false, calm: false }]);
    expect(r.calmForMs('p', 250)).toBe(0);
    r.observe(300, [{ key: 'p', risky: false, calm: true }]);
    expect(r.calmForMs('p', 400)).toBe(100);
  });

  it('treats risky as not calm and remembers it', () => {
    const r = new RiskTracker();
    r.observe(0, [{ key: 'p', risky: true, calm: false }]);
    expect(r.isRisky('p')).toBe(true);
    r.observe(10, [{ key: 'p', risky: false, calm: true }]);
    expect(r.isRisky('p')).toBe(false);
    expect(r.calmForMs('p', 20)).toBe(10);
  });

  it('allows a revert only when pool and type are calm long enough and no fallback was decided within that time', () => {
    const r = new RiskTracker();
    const flags = [
      { key: 'p', risky: false, calm: true },
      { key: typeKey('m5.large'), risky: false, calm: true },
    ];
    r.observe(0, flags);
    expect(r.revertAllowed('p', typeKey('m5.large'), 99, 100)).toBe(false);
    expect(r.revertAllowed('p', typeKey('m5.large'), 100, 100)).toBe(true);
    r.fallbackDecided(150);
    expect(r.revertAllowed('p', typeKey('m5.large'), 200, 100)).toBe(false);
    expect(r.revertAllowed('p', typeKey('m5.large'), 250, 100)).toBe(true);
    expect(r.revertAllowed('unknown', typeKey('m5.large'), 250, 100)).toBe(false);
  });
});

import { ConfigError } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { readPolicyOverrides } from './policies-file.ts';

const from = (text: string) => readPolicyOverrides('/etc/ballast/policies.json', () => text);
const refusal = (text: string): string => {
  try {
    from(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('decision policies file', () => {
  it('answers the fields it sets and nothing else', () => {
    expect(
      from(
        '{"discountPreference": 0, "maxPoolShare": 0.2, "validationDelayMs": {"replace": 60000}, "requireApproval": ["fallback"], "pdbSafeNodeSize": true}',
      ),
    ).toEqual({
      discountPreference: 0,
      maxPoolShare: 0.2,
      validationDelayMs: { replace: 60000 },
      requireApproval: ['fallback'],
      pdbSafeNodeSize: true,
    });
    expect(from('{}')).toEqual({});
  });

  it('refuses what cannot be read or is not a JSON object, naming the file', () => {
    expect(() =>
      readPolicyOverrides('/nope.json', () => {
        throw new Error('ENOENT: no such file');
      }),
    ).toThrow(/decisionPoliciesFile \/nope\.json .*cannot be read: ENOENT/);
    expect(refusal('{"discountPreference": 0,}')).toMatch(/policies\.json .*is not valid JSON/);
    expect(refusal('[1]')).toMatch(/must hold a JSON object/);
  });

  it('refuses an unknown field, the scoring model and an unknown nested field by name', () => {
    expect(refusal('{"discountPrefrence": 0}')).toMatch(/unknown field "discountPrefrence" \(known: .*discountPreference/);
    expect(refusal('{"model": {}}')).toMatch(/unknown field "model"/);
    expect(refusal('{"validationDelayMs": {"rebalance": 1}}')).toMatch(/unknown field "validationDelayMs.rebalance"/);
  });

  it('refuses a wrong JSON type or a value out of range by name', () => {
    expect(refusal('{"maxPoolShare": "0.2"}')).toMatch(/maxPoolShare must be a number \(got "0.2"\)/);
    expect(refusal('{"pdbSafeNodeSize": "yes"}')).toMatch(/pdbSafeNodeSize must be a boolean/);
    expect(refusal('{"requireApproval": "fallback"}')).toMatch(/requireApproval must be an array of strings/);
    expect(refusal('{"discountPreference": 1.5}')).toMatch(/discountPreference: must be within \[0, 1\] \(got 1.5\)/);
    expect(refusal('{"requireApproval": ["explode"]}')).toMatch(/requireApproval\[0\]: unknown kind "explode"/);
    expect(refusal('{"maxConcurrentDisruptions": {"min": 1.5}}')).toMatch(/maxConcurrentDisruptions.min: must be a whole number/);
  });
});

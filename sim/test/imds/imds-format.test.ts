import { describe, expect, it } from 'vitest';
import { architectureOf, awsTime, regionOf, scheduledEventTime } from '../../src/imds/index.ts';

describe('IMDS formats', () => {
  it('formats notice times as YYYY-MM-DDTHH:MM:SSZ, dropping milliseconds', () => {
    expect(awsTime(Date.UTC(2026, 10, 23, 3, 55, 0, 999))).toBe('2026-11-23T03:55:00Z');
  });

  it('formats scheduled-event times as "DD Mon YYYY HH:MM:SS GMT"', () => {
    expect(scheduledEventTime(Date.UTC(2019, 0, 21, 9, 0, 43))).toBe('21 Jan 2019 09:00:43 GMT');
    expect(scheduledEventTime(Date.UTC(2026, 1, 5, 23, 5, 7))).toBe('05 Feb 2026 23:05:07 GMT');
  });

  it.each([
    ['us-east-1a', 'us-east-1'],
    ['eu-central-2c', 'eu-central-2'],
    ['ap-southeast-4b', 'ap-southeast-4'],
    ['us-gov-west-1a', 'us-gov-west-1'],
    ['us-west-2-lax-1a', 'us-west-2'],
  ])('derives the region of %s', (az, region) => {
    expect(regionOf(az)).toBe(region);
  });

  it.each([
    ['m7g.large', 'arm64'],
    ['c6gn.xlarge', 'arm64'],
    ['t4g.micro', 'arm64'],
    ['a1.medium', 'arm64'],
    ['g5g.xlarge', 'arm64'],
    ['g5.xlarge', 'x86_64'],
    ['m7i-flex.large', 'x86_64'],
    ['c5.large', 'x86_64'],
  ])('knows %s is %s', (type, arch) => {
    expect(architectureOf(type)).toBe(arch);
  });
});

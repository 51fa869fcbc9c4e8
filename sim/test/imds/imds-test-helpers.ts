import { Fleet, type LaunchSpec } from '../../src/core/fleet.ts';
import { ManualClock } from '../../src/core/sim-clock.ts';

/** 2026-11-23T03:53:00Z, so a notice issued at t0 has its action at 03:55:00Z. */
export const T0 = Date.UTC(2026, 10, 23, 3, 53, 0);

export const SPOT: LaunchSpec = {
  instanceType: 'm7g.large',
  availabilityZone: 'us-east-1a',
  capacityType: 'spot',
  imageId: 'ami-0abc1234',
};
export const ON_DEMAND: LaunchSpec = {
  instanceType: 'm6i.xlarge',
  availabilityZone: 'eu-west-1b',
  capacityType: 'on-demand',
  imageId: 'ami-0def5678',
};

export function newFleet(): { clock: ManualClock; fleet: Fleet } {
  const clock = new ManualClock(T0);
  return { clock, fleet: new Fleet(clock, { bootDelayMs: 1000, shutdownDelayMs: 1000 }) };
}

export interface Reply {
  status: number;
  body: string;
  headers: Headers;
}

/** One real HTTP request; `token` becomes the IMDSv2 header. */
export async function get(baseUrl: string, path: string, token?: string): Promise<Reply> {
  const res = await fetch(baseUrl + path, { headers: token === undefined ? {} : { 'X-aws-ec2-metadata-token': token } });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export async function putToken(baseUrl: string, ttl: string | undefined, extra: Record<string, string> = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...extra };
  if (ttl !== undefined) headers['X-aws-ec2-metadata-token-ttl-seconds'] = ttl;
  const res = await fetch(`${baseUrl}/latest/api/token`, { method: 'PUT', headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

import { DescribeAvailabilityZonesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_IMAGE_IDS } from '../../src/ec2/index.ts';
import { type Harness, sdkError, startHarness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams({ Version: '2016-11-15', ...fields }).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('EC2 Query protocol', () => {
  it('answers a request without Authorization with AuthFailure', async () => {
    const res = await fetch(h.server.url, { method: 'POST', headers: FORM, body: form({ Action: 'DescribeAvailabilityZones' }) });
    expect(res.status).toBe(401);
    const xml = await res.text();
    expect(xml).toMatch(
      /<Response><Errors><Error><Code>AuthFailure<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>/,
    );
  });

  it('accepts a query-string GET and answers in the EC2 namespace with a requestId', async () => {
    const res = await fetch(`${h.server.url}/?${form({ Action: 'DescribeAvailabilityZones', 'ZoneName.1': 'us-east-1c' })}`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' },
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('<DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>');
    expect(xml.match(/<zoneName>([^<]+)<\/zoneName>/g)).toEqual(['<zoneName>us-east-1c</zoneName>']);
  });

  it('rejects unknown actions and unknown filters', async () => {
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { ...FORM, authorization: 'AWS4-HMAC-SHA256 x' },
      body: form({ Action: 'LaunchRockets' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAction</Code>');
    const bad = await sdkError(h.ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'flavour', Values: ['x'] }] })));
    expect(bad.name).toBe('InvalidParameterValue');
  });

  it('surfaces UnauthorizedOperation for denied actions, with status 403, and honours DryRun', async () => {
    h.server.state.denyActions.add('RunInstances');
    const input = { ImageId: BUILT_IN_IMAGE_IDS.al2023X86, InstanceType: 'm5.large' as const, MinCount: 1, MaxCount: 1 };
    const denied = await sdkError(h.ec2.send(new RunInstancesCommand(input)));
    expect(denied.name).toBe('UnauthorizedOperation');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    h.server.state.denyActions.clear();
    const dry = await sdkError(h.ec2.send(new RunInstancesCommand({ ...input, DryRun: true })));
    expect(dry.name).toBe('DryRunOperation');
    expect(h.fleet.list()).toEqual([]);
  });
});

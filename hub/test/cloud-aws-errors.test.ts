import { ConfigError } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/src/free-port.ts';
import { AwsCloudProvider } from '../src/cloud/aws-cloud-provider.ts';
import { describeAwsConfig, validateAwsConfig } from '../src/cloud/aws-config.ts';
import type { CloudCallRecord } from '../src/cloud/aws-context.ts';
import { toCloudError } from '../src/cloud/aws-error-mapping.ts';
import { allPages } from '../src/cloud/aws-pages.ts';
import { cloudRetryStrategy } from '../src/cloud/aws-retry-strategy.ts';
import { CloudError } from '../src/cloud/cloud-error.ts';

type FakeSdkError = Error & { cause?: Error; $metadata: { httpStatusCode: number; attempts: number } };

/** What the SDK throws for an EC2 error answer: named after EC2's Code, with response metadata. */
function sdkError(name: string, status: number, attempts = 1): FakeSdkError {
  const err = new Error(`${name} happened`) as FakeSdkError;
  err.name = name;
  err.$metadata = { httpStatusCode: status, attempts };
  return err;
}

describe('AWS error mapping', () => {
  it.each([
    ['launch', 'InsufficientInstanceCapacity', 500, 'capacity'],
    ['launch', 'MaxSpotInstanceCountExceeded', 400, 'capacity'],
    ['launch', 'Unsupported', 400, 'capacity'],
    ['describeImages', 'Unsupported', 400, 'invalid-parameter'],
    ['terminate', 'InvalidInstanceID.NotFound', 400, 'not-found'],
    ['deleteSnapshot', 'InvalidSnapshot.InUse', 400, 'in-use'],
    ['deleteVolume', 'VolumeInUse', 400, 'in-use'],
    ['launch', 'AuthFailure', 401, 'unauthorized'],
    ['launch', 'UnauthorizedOperation', 403, 'unauthorized'],
    ['launch', 'RequestLimitExceeded', 503, 'throttled'],
    ['launch', 'SomethingNew', 429, 'throttled'],
    ['launch', 'InternalError', 500, 'unavailable'],
    ['launch', 'SomethingNew', 502, 'unavailable'],
    ['launch', 'IdempotentParameterMismatch', 400, 'invalid-parameter'],
    ['launch', 'InvalidAMIID.Malformed', 400, 'invalid-parameter'],
  ])('%s %s (%i) → %s', (operation, name, status, code) => {
    const err = toCloudError(sdkError(name, status, 2), operation, { pool: { instanceType: 'm5.large', zone: 'z', capacityType: 'spot' } });
    expect(err).toBeInstanceOf(CloudError);
    expect(err.code).toBe(code);
    expect(err.providerCode).toBe(name);
    expect(err.attempts).toBe(2);
    expect(err.operation).toBe(operation);
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.pool === undefined).toBe(code !== 'capacity');
  });

  it('maps socket errors to unavailable, unknown throwables to internal, and passes CloudErrors through', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toCloudError(refused, 'describeVolumes').code).toBe('unavailable');
    expect(toCloudError(new TypeError('boom'), 'describeVolumes').code).toBe('internal');
    expect(toCloudError('a string', 'describeVolumes').code).toBe('internal');
    const original = new CloudError('not-found', 'gone', { operation: 'x' });
    expect(toCloudError(original, 'y')).toBe(original);
  });
});

describe('retry strategy', () => {
  const strategy = cloudRetryStrategy({ maxAttempts: 3, baseDelayMs: 10, throttleBaseDelayMs: 100, maxDelayMs: 1_000 }, () => 0.99);

  it('retries throttling and transient failures up to maxAttempts, with the throttling backoff for throttling', async () => {
    const t0 = await strategy.acquireInitialRetryToken('');
    const t1 = await strategy.refreshRetryTokenForRetry(t0, { errorType: 'THROTTLING', error: sdkError('RequestLimitExceeded', 503) });
    expect(t1.getRetryCount()).toBe(1);
    expect(t1.getRetryDelay()).toBe(99);
    const t2 = await strategy.refreshRetryTokenForRetry(t1, { errorType: 'TRANSIENT', error: sdkError('InternalError', 500) });
    expect(t2.getRetryDelay()).toBe(19);
    await expect(strategy.refreshRetryTokenForRetry(t2, { errorType: 'TRANSIENT' })).rejects.toThrow();
  });

  it('never retries a capacity refusal or a client error', async () => {
    const t0 = await strategy.acquireInitialRetryToken('');
    await expect(
      strategy.refreshRetryTokenForRetry(t0, { errorType: 'TRANSIENT', error: sdkError('InsufficientInstanceCapacity', 500) }),
    ).rejects.toThrow();
    await expect(strategy.refreshRetryTokenForRetry(t0, { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
  });
});

describe('pagination guard', () => {
  it('follows tokens through empty pages and stops a token loop or a runaway listing', async () => {
    const pages = [{ items: [1], nextToken: 'a' }, { items: [], nextToken: 'b' }, { items: [2] }];
    expect(await allPages('op', async (t) => pages[t === undefined ? 0 : t === 'a' ? 1 : 2] ?? { items: [] }, 10)).toEqual([1, 2]);
    await expect(allPages('op', async () => ({ items: [1], nextToken: 'same' }), 10)).rejects.toMatchObject({ code: 'internal' });
    let k = 0;
    await expect(allPages('op', async () => ({ items: [], nextToken: String(k++) }), 3)).rejects.toThrow(/more than 3 pages/);
  });
});

describe('AWS config', () => {
  it('refuses a bad region or endpoint, naming the field', () => {
    expect(() => validateAwsConfig({ region: 'mars' })).toThrow(ConfigError);
    expect(() => validateAwsConfig({ region: 'us-east-1', endpoint: 'ftp://x' })).toThrow(/cloud.endpoint/);
    expect(() => validateAwsConfig({ region: 'us-east-1', endpoint: 'http://key:secret@127.0.0.1:1' })).toThrow(
      /must not carry credentials/,
    );
    expect(() => validateAwsConfig({ region: 'us-east-1', pageSize: 0 })).toThrow(/cloud.pageSize/);
    expect(validateAwsConfig({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' }).region).toBe('eu-west-1');
  });

  it('describes itself without secrets', () => {
    const text = JSON.stringify(
      describeAwsConfig({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDVISIBLE', secretAccessKey: 'TOPSECRET' } }),
    );
    expect(text).not.toMatch(/TOPSECRET|AKIDVISIBLE/);
  });
});

describe('an unreachable endpoint', () => {
  it('fails as unavailable after the retries, quickly, with no secret in the error or the call record', async () => {
    const port = await freePort();
    const calls: CloudCallRecord[] = [];
    const provider = new AwsCloudProvider(
      {
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'TOPSECRET' },
        retry: { maxAttempts: 3, baseDelayMs: 5, throttleBaseDelayMs: 5, maxDelayMs: 20 },
        connectTimeoutMs: 1_000,
      },
      { observe: (c) => calls.push(c) },
    );
    const started = Date.now();
    const err = await provider.describeAvailabilityZones().then(
      () => undefined,
      (e: unknown) => e,
    );
    provider.close();
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).code).toBe('unavailable');
    expect((err as CloudError).retryable).toBe(true);
    expect(calls).toEqual([expect.objectContaining({ operation: 'describeAvailabilityZones', requests: 3, error: 'unavailable' })]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(`${(err as Error).message} ${JSON.stringify(calls)}`).not.toMatch(/TOPSECRET/);
  });
});

import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { ConfigError } from '@ballast/common';
import { cloudRetryStrategy, DEFAULT_RETRY, type RetryOptions } from './aws-retry-strategy.ts';

export interface AwsCloudConfig {
  region: string;
  /** Endpoint URL override (the simulator, a VPC endpoint); absent: the region's public endpoint. */
  endpoint?: string;
  /**
   * Absent (production): the SDK's default chain — env vars, shared config and SSO, web
   * identity (IRSA), container and instance roles. Tests and the sim pass dummy static keys.
   */
  credentials?: EC2ClientConfig['credentials'];
  retry?: Partial<RetryOptions>;
  /** Per request: connect and whole-request time limits, so a hung endpoint cannot stall a refresh. */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** MaxResults of paginated listings (clamped to each API's range); absent: each API's maximum. */
  pageSize?: number;
  /** Pages one listing may read before it fails as internal (a guard against a token loop). */
  maxPages?: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Checks the config once at start-up; a bad value stops with a message naming the field. */
export function validateAwsConfig(config: AwsCloudConfig): AwsCloudConfig {
  if (!REGION.test(config.region)) throw new ConfigError('cloud.region', `"${config.region}" is not an AWS region name (like us-east-1)`);
  if (config.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(config.endpoint);
    } catch {
      throw new ConfigError('cloud.endpoint', 'is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('cloud.endpoint', 'must be an http(s) URL');
    // A URL with user:password would end up in logs and error messages; keys belong in the credential chain.
    if (url.username || url.password) throw new ConfigError('cloud.endpoint', 'must not carry credentials');
  }
  const positive = (field: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new ConfigError(field, `must be a positive integer, got ${v}`);
  };
  positive('cloud.connectTimeoutMs', config.connectTimeoutMs);
  positive('cloud.requestTimeoutMs', config.requestTimeoutMs);
  positive('cloud.pageSize', config.pageSize);
  positive('cloud.maxPages', config.maxPages);
  positive('cloud.retry.maxAttempts', config.retry?.maxAttempts);
  return config;
}

export function retryOptionsOf(config: AwsCloudConfig): RetryOptions {
  return { ...DEFAULT_RETRY, ...config.retry };
}

/** The SDK client the provider uses; the retry policy is Ballast's, the rest the SDK's defaults. */
export function createEc2Client(config: AwsCloudConfig): EC2Client {
  const retry = retryOptionsOf(config);
  return new EC2Client({
    region: config.region,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    maxAttempts: retry.maxAttempts,
    retryStrategy: cloudRetryStrategy(retry),
    requestHandler: { connectionTimeout: config.connectTimeoutMs ?? 5_000, requestTimeout: config.requestTimeoutMs ?? 30_000 },
  });
}

/** What the config says without secrets, for the start-up log line. */
export function describeAwsConfig(config: AwsCloudConfig): Record<string, unknown> {
  return {
    region: config.region,
    endpoint: config.endpoint ?? 'default',
    credentials: config.credentials === undefined ? 'default chain' : 'explicit',
    maxAttempts: retryOptionsOf(config).maxAttempts,
  };
}

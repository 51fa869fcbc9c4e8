import { CloudError, type CloudErrorCode, type CloudErrorDetails } from './cloud-error.ts';

/**
 * EC2 error codes a launch into one pool can meet when the pool, not the request, is the
 * problem. The list follows Karpenter's "unfulfillable capacity" codes: all of them mean
 * "try another pool", and the scorer should remember the refusal.
 */
const CAPACITY_CODES = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientFreeAddressesInSubnet',
  'MaxSpotInstanceCountExceeded',
  'VcpuLimitExceeded',
  'InstanceLimitExceeded',
  'UnfulfillableCapacity',
  'ReservationCapacityExceeded',
  'SpotMaxPriceTooLow',
]);

const UNAUTHORIZED_CODES = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'Blocked',
  'OptInRequired',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'RequestExpired',
  'CredentialsProviderError',
]);

const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
]);

const UNAVAILABLE_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'TimeoutError',
  'RequestTimeout',
]);

const IN_USE_CODES = new Set(['VolumeInUse', 'DependencyViolation', 'IncorrectState']);

/** Node's socket errors: the endpoint could not be reached or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function classify(operation: string, providerCode: string, status: number | undefined, network: boolean): CloudErrorCode {
  if (CAPACITY_CODES.has(providerCode)) return 'capacity';
  // EC2 answers Unsupported when a type is not offered in the zone (or has no spot market there).
  if (providerCode === 'Unsupported') return operation === 'launch' ? 'capacity' : 'invalid-parameter';
  if (providerCode.endsWith('.NotFound') || providerCode.endsWith('NotFoundException')) return 'not-found';
  if (providerCode.endsWith('.InUse') || IN_USE_CODES.has(providerCode)) return 'in-use';
  if (UNAUTHORIZED_CODES.has(providerCode)) return 'unauthorized';
  if (THROTTLING_CODES.has(providerCode) || status === 429) return 'throttled';
  if (network || UNAVAILABLE_CODES.has(providerCode)) return 'unavailable';
  if (status !== undefined && status >= 500) return 'unavailable';
  if (status !== undefined && status >= 400) return status === 401 || status === 403 ? 'unauthorized' : 'invalid-parameter';
  return 'internal';
}

/**
 * Turns whatever the SDK threw into a CloudError. The SDK names a service error after
 * EC2's `<Code>`; socket errors carry Node's `code`; credential-chain failures are named
 * CredentialsProviderError. The message keeps EC2's own words, which name the resource.
 */
export function toCloudError(err: unknown, operation: string, extra: Omit<CloudErrorDetails, 'operation' | 'cause'> = {}): CloudError {
  if (err instanceof CloudError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SdkErrorShape;
  const network = typeof e.code === 'string' && NETWORK_CODES.has(e.code);
  const providerCode = network ? (e.code as string) : (e.name ?? 'Error');
  const status = e.$metadata?.httpStatusCode;
  const code = classify(operation, providerCode, status, network);
  const attempts = e.$metadata?.attempts;
  return new CloudError(code, `${operation}: ${code}: ${providerCode}: ${e.message ?? ''}`.trimEnd(), {
    operation,
    providerCode,
    ...(attempts === undefined ? {} : { attempts }),
    ...(code === 'capacity' ? extra : { ...extra, pool: undefined }),
    cause: err,
  });
}

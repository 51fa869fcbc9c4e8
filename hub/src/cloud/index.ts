export { AwsCloudProvider, type AwsCloudProviderOptions } from './aws-cloud-provider.ts';
export { type AwsCloudConfig, describeAwsConfig, validateAwsConfig } from './aws-config.ts';
export type { CloudCallRecord } from './aws-context.ts';
export { toCloudError } from './aws-error-mapping.ts';
export { DEFAULT_RETRY, type RetryOptions } from './aws-retry-strategy.ts';
export { CLOUD_ERROR_STATUS, CloudError, type CloudErrorCode, type CloudErrorDetails, isCloudError } from './cloud-error.ts';
export type { CloudProvider } from './cloud-provider.ts';
export * from './cloud-types.ts';

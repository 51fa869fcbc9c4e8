/** A configuration value is wrong; the message names the field, the flag and the env var. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`invalid configuration: ${field}: ${message}`);
  }
}

/**
 * Why a switch step stopped the switch. `rolled-back`: the replacement never became Ready
 * and was terminated, the old node untouched. `cannot-drain`: neither an agent nor the
 * cluster's API can drain the old node, so it is not terminated. Neither is retried.
 */
export type SwitchErrorCode = 'rolled-back' | 'cannot-drain' | 'agent-refused';

export class SwitchError extends Error {
  override readonly name = 'SwitchError';
  constructor(
    readonly code: SwitchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

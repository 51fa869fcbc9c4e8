/**
 * Why a switch step stopped the switch. `rolled-back`: the replacement never became Ready
 * and was terminated, the old node untouched. `cannot-drain`: neither an agent nor the
 * cluster's API can drain the old node, so it is not terminated. `not-empty`: a node to be
 * removed holds pods again, so it is uncordoned and kept. None is retried.
 */
export type SwitchErrorCode = 'rolled-back' | 'cannot-drain' | 'agent-refused' | 'not-empty';

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

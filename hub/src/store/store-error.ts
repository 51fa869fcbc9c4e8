/** A storage operation failed; `cause` holds the driver's error. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

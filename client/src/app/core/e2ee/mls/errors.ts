/** Why an MLS operation failed: not in the group yet, a message that is not MLS, or one that does not verify. */
export class MlsError extends Error {
  constructor(
    readonly reason: 'not-in-group' | 'malformed' | 'rejected',
    message: string,
  ) {
    super(message);
    this.name = 'MlsError';
  }
}

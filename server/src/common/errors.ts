import { PROTOCOL_VERSION, type ErrorCode, type ProtocolError } from '@raum/protocol';

/**
 * An error the client may see: its code is part of the protocol, its message
 * says what to do and carries no personal data.
 */
export class RaumError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RaumError';
  }

  toProtocol(): ProtocolError {
    return { code: this.code, message: this.message };
  }
}

export class InvalidStateError extends RaumError {
  constructor(message: string) {
    super('invalid-state', message);
  }
}

export class NotFoundError extends RaumError {
  constructor(what: string) {
    super('not-found', `${what} does not exist or is not yours`);
  }
}

/** The client speaks another protocol version than this server: it must update itself. */
export class UpgradeRequiredError extends RaumError {
  constructor() {
    super('upgrade-required', `this server speaks protocol version ${PROTOCOL_VERSION}; reload the page`);
  }
}

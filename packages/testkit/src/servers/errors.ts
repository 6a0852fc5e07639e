import { ResilientStoreError } from '@resilient-store/core';

/** A server binary (redis-server, memcached, postgres, ...) was not found; the message says how to install it. */
export class ServerBinaryNotFoundError extends ResilientStoreError {
  readonly binary: string;
  constructor(binary: string, searched: readonly string[], installHint: string) {
    super(
      'ERR_RS_TEST_BINARY_NOT_FOUND',
      `${binary} not found (searched: ${searched.join(', ') || 'nothing'}). ${installHint}`,
    );
    this.binary = binary;
  }
}

/** A test server did not start or did not become ready in time; the message carries the tail of its log. */
export class ServerStartError extends ResilientStoreError {
  readonly server: string;
  constructor(server: string, message: string, options?: { cause?: unknown }) {
    super('ERR_RS_TEST_SERVER_START', `${server}: ${message}`, options);
    this.server = server;
  }
}

/**
 * A fault method (kill, pause, resume, restart) was called on a server the testkit does not
 * control: one brought by the user through an RS_TEST_*_URL variable, or a runtime that cannot
 * do it. Fault tests need a server the testkit started itself.
 */
export class FaultInjectionUnsupportedError extends ResilientStoreError {
  readonly server: string;
  readonly operation: string;
  constructor(server: string, operation: string, reason: string) {
    super(
      'ERR_RS_TEST_FAULT_UNSUPPORTED',
      `${operation}() is not supported on ${server}: ${reason}`,
    );
    this.server = server;
    this.operation = operation;
  }
}

/** An operation on a test server that is in the wrong state for it (stopped, not running, not a master). */
export class ServerStateError extends ResilientStoreError {
  constructor(message: string) {
    super('ERR_RS_TEST_SERVER_STATE', message);
  }
}

/** A test server or cluster did not reach the expected state in time; the message says which. */
export class ServerTimeoutError extends ResilientStoreError {
  constructor(message: string) {
    super('ERR_RS_TEST_TIMEOUT', message);
  }
}

/**
 * Every error a user can cause or meet is a CeranaError: a stable code, one clear line,
 * and a hint on what to do. Exit codes follow the architecture: 2 for usage or input
 * errors, 3 for internal ones (1 is reserved for policy failures).
 */
export type ErrorCode =
  | 'USAGE'
  | 'INPUT'
  | 'NOT_FOUND'
  | 'AUTH'
  | 'NETWORK'
  | 'DIGEST_MISMATCH'
  | 'LIMIT'
  | 'UNSUPPORTED'
  | 'INTERNAL';

export class CeranaError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CeranaError';
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): 2 | 3 {
    return this.code === 'INTERNAL' ? 3 : 2;
  }
}

export function isCeranaError(error: unknown): error is CeranaError {
  return error instanceof CeranaError;
}

/** The one line a user sees for any error. */
export function describeError(error: unknown): string {
  if (isCeranaError(error)) return error.hint ? `${error.message} (${error.hint})` : error.message;
  if (error instanceof Error) return `internal error: ${error.message}`;
  return `internal error: ${String(error)}`;
}

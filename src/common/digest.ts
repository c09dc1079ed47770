import { createHash } from 'node:crypto';
import { CeranaError } from './errors.js';

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function assertDigest(value: string, what: string): string {
  if (!isDigest(value))
    throw new CeranaError('INPUT', `${what} is not a valid digest: ${JSON.stringify(value)}`);
  return value;
}

export type DigestAlgorithm = 'sha256' | 'sha512';

/** The algorithm a digest names; the digest must be valid. */
export function digestAlgorithm(digest: string, what = 'digest'): DigestAlgorithm {
  return assertDigest(digest, what).startsWith('sha512:') ? 'sha512' : 'sha256';
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of a digest, safe to use as a file name once validated. */
export function digestHex(digest: string): string {
  return assertDigest(digest, 'digest').slice(digest.indexOf(':') + 1);
}

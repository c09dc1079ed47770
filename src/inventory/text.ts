import { isUtf8 } from 'node:buffer';

/**
 * Decodes a package-manager file as UTF-8. Invalid sequences become U+FFFD (the file is still
 * read) and the caller gets a warning naming the file.
 */
export function decodeText(data: Buffer, path: string, warnings: string[]): string {
  if (!isUtf8(data)) warnings.push(`${path}: not valid UTF-8; read with replacement characters`);
  return data.toString('utf8');
}

/** The message of anything thrown, for a one-line warning. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

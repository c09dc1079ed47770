import { isUtf8 } from 'node:buffer';

/**
 * Decodes a package-manager file as UTF-8. Invalid sequences become U+FFFD (the file is still
 * read) and the caller gets a warning naming the file.
 */
export function decodeText(data: Buffer, path: string, warnings: string[]): string {
  if (!isUtf8(data)) warnings.push(invalidUtf8Warning(path));
  return data.toString('utf8');
}

/** The warning for a file read with replacement characters. */
export function invalidUtf8Warning(path: string): string {
  return `${path}: not valid UTF-8; read with replacement characters`;
}

/** The message of anything thrown, for a one-line warning. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Warnings kept per file; a hostile file could otherwise produce millions. */
export const MAX_WARNINGS_PER_FILE = 20;

/** Appends one file's warnings, at most MAX_WARNINGS_PER_FILE of them plus a count of the rest. */
export function appendWarnings(target: string[], warnings: readonly string[], path: string): void {
  const shown = Math.min(warnings.length, MAX_WARNINGS_PER_FILE);
  for (let i = 0; i < shown; i++) target.push(warnings[i] as string);
  if (warnings.length > shown) target.push(`${path}: ${warnings.length - shown} more warnings not shown`);
}

/** Appends without spreading (a spread of a huge array overflows the call stack). */
export function appendAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}

/** A list of warnings cut to MAX_WARNINGS_PER_FILE, the rest counted in a last line. */
export function limitWarnings(warnings: readonly string[]): string[] {
  if (warnings.length <= MAX_WARNINGS_PER_FILE) return [...warnings];
  const shown = warnings.slice(0, MAX_WARNINGS_PER_FILE);
  shown.push(`${warnings.length - MAX_WARNINGS_PER_FILE} more warnings not shown`);
  return shown;
}

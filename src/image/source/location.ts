import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isDigest } from '../../common/digest.js';
import { CeranaError } from '../../common/errors.js';

/** A local path plus what to pick inside it: `<path>[:<name>]` or `<path>@<digest>`. */
export interface Location {
  path: string;
  name?: string;
  digest?: string;
}

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) return 'dir';
    return stats.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits `text` into an existing path of the wanted kind and the selector after it. Paths may
 * hold colons and names may too (`img.tar:localhost:5000/app:1`), so the split is the first one
 * whose left side exists, with the whole text tried first.
 */
export async function splitLocation(text: string, kind: 'file' | 'dir', scheme: string): Promise<Location> {
  if (text === '') throw new CeranaError('USAGE', `${scheme}: needs a path`);
  const at = text.lastIndexOf('@');
  if (at > 0 && isDigest(text.slice(at + 1))) {
    const path = text.slice(0, at);
    if ((await kindOf(path)) !== kind) throw notFound(path, kind, scheme);
    return { path: resolve(path), digest: text.slice(at + 1) };
  }
  if ((await kindOf(text)) === kind) return { path: resolve(text) };
  for (let i = text.indexOf(':'); i > 0; i = text.indexOf(':', i + 1)) {
    const path = text.slice(0, i);
    const name = text.slice(i + 1);
    if (name !== '' && (await kindOf(path)) === kind) return { path: resolve(path), name };
  }
  throw notFound(text, kind, scheme);
}

function notFound(path: string, kind: 'file' | 'dir', scheme: string): CeranaError {
  return new CeranaError('NOT_FOUND', `${scheme}: no such ${kind === 'dir' ? 'directory' : 'file'}: ${path}`);
}

export function formatLocation(scheme: string, location: Location): string {
  if (location.digest) return `${scheme}:${location.path}@${location.digest}`;
  return location.name ? `${scheme}:${location.path}:${location.name}` : `${scheme}:${location.path}`;
}

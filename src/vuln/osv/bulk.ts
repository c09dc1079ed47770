import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CeranaError } from '../../common/errors.js';
import { type DownloadOptions, download, type Validators } from './download.js';

/**
 * OSV's bulk layout, `<base>/<Ecosystem>/all.zip`, served over HTTP(S) (OSV's bucket or a
 * mirror) or sitting in a directory (an offline copy). Both answer the same question: is the
 * export newer than the copy we have, and if so, where is it now.
 */

export const DEFAULT_OSV_URL = 'https://osv-vulnerabilities.storage.googleapis.com';

/** `CERANA_OSV_URL` when set, else OSV's public bucket. */
export function defaultSource(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CERANA_OSV_URL?.trim();
  return fromEnv ? fromEnv : DEFAULT_OSV_URL;
}

export type BulkSource = { kind: 'http'; base: string } | { kind: 'dir'; base: string };

export function resolveSource(source: string): BulkSource {
  if (/^https?:\/\//i.test(source)) return { kind: 'http', base: source.replace(/\/+$/, '') };
  if (/^file:\/\//i.test(source)) return { kind: 'dir', base: fileURLToPath(source) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new CeranaError('USAGE', `unsupported source ${source}`, {
      hint: 'use an http(s) URL or a directory',
    });
  }
  return { kind: 'dir', base: resolve(source) };
}

/** Where one ecosystem's export lives in a source. */
export function exportLocation(source: BulkSource, ecosystem: string): string {
  return source.kind === 'http'
    ? `${source.base}/${encodeURIComponent(ecosystem)}/all.zip`
    : join(source.base, ecosystem, 'all.zip');
}

export type FetchedExport =
  | { status: 'unchanged'; location: string }
  | { status: 'missing'; location: string }
  | {
      status: 'fetched';
      location: string;
      path: string;
      validators: Validators;
      /** Bytes transferred over the network (0 for a directory). */
      transferred: number;
      /** True when `path` is a download the caller should delete after use. */
      temporary: boolean;
    };

export interface FetchOptions
  extends Pick<
    DownloadOptions,
    'retries' | 'backoffMs' | 'maxBackoffMs' | 'idleTimeoutMs' | 'maxBytes' | 'signal'
  > {
  /** Where downloads (and partial downloads, for resuming) are kept. */
  cacheDir: string;
  /** Validators of the export already in the database, when it came from this same location. */
  previous?: Validators;
  onProgress?: (bytes: number, total: number | undefined) => void;
}

export async function fetchExport(
  source: BulkSource,
  ecosystem: string,
  options: FetchOptions,
): Promise<FetchedExport> {
  const location = exportLocation(source, ecosystem);
  if (source.kind === 'dir') {
    const info = await stat(location).catch(() => undefined);
    if (info === undefined || !info.isFile()) return { status: 'missing', location };
    // A local file has no ETag: size and modification time stand in for one.
    const etag = `"${info.size}-${Math.trunc(info.mtimeMs)}"`;
    if (options.previous?.etag === etag) return { status: 'unchanged', location };
    options.onProgress?.(info.size, info.size);
    return {
      status: 'fetched',
      location,
      path: location,
      validators: { etag },
      transferred: 0,
      temporary: false,
    };
  }
  const { cacheDir, ...rest } = options;
  await mkdir(cacheDir, { recursive: true });
  const downloadOptions: DownloadOptions = {
    ...rest,
    url: location,
    dest: join(cacheDir, `${cacheName(ecosystem)}.zip`),
  };
  const result = await download(downloadOptions);
  switch (result.status) {
    case 'unchanged':
      return { status: 'unchanged', location };
    case 'missing':
      return { status: 'missing', location };
    case 'downloaded':
      return {
        status: 'fetched',
        location,
        path: result.path,
        validators: result.validators,
        transferred: result.transferred,
        temporary: true,
      };
  }
}

/** A file name for an ecosystem (`Red Hat` → `Red_Hat`). */
export function cacheName(ecosystem: string): string {
  return ecosystem.replace(/[^A-Za-z0-9._-]/g, '_');
}

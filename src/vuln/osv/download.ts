import { closeSync, fsyncSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CeranaError } from '../../common/errors.js';

/**
 * Downloads one file over HTTP(S) the way a flaky network and a large export need:
 * conditional (If-None-Match / If-Modified-Since, so an unchanged export costs one 304),
 * resumable (a partial download stays as `<dest>.part`; the next attempt, in this process or
 * a later one, continues it with Range + If-Range), and retried with exponential backoff
 * on 5xx, 429 and network errors.
 */

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface DownloadOptions {
  url: string;
  /** Where the complete file goes; `<dest>.part` and `<dest>.part.json` hold a partial one. */
  dest: string;
  /** Validators of the copy the caller already has: a match answers `unchanged`. */
  previous?: Validators;
  /** Attempts without progress before giving up (a response that delivers bytes resets the count). */
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Abort an attempt when no bytes arrive for this long. */
  idleTimeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number, total: number | undefined) => void;
}

export type DownloadResult =
  | { status: 'unchanged' }
  | { status: 'missing'; httpStatus: number }
  | {
      status: 'downloaded';
      path: string;
      validators: Validators;
      size: number;
      /** Bytes that came over the network in this call (less than size after a resume). */
      transferred: number;
      resumed: boolean;
    };

interface PartState extends Validators {
  url: string;
  total?: number;
}

export const DEFAULT_DOWNLOAD = {
  retries: 5,
  backoffMs: 500,
  maxBackoffMs: 30_000,
  idleTimeoutMs: 60_000,
  maxBytes: 8 * 1024 * 1024 * 1024,
};

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const settings = { ...DEFAULT_DOWNLOAD, ...definedOnly(options) };
  const part = `${options.dest}.part`;
  const partMeta = `${options.dest}.part.json`;
  let failures = 0;
  let transferred = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const state = await readPartState(partMeta, options.url);
    const have = state === undefined ? 0 : await fileSize(part);
    try {
      const outcome = await attempt(options, settings, part, partMeta, state, have, (n) => {
        transferred += n;
        failures = 0;
      });
      if (outcome.status !== 'downloaded') return outcome;
      return { ...outcome, transferred };
    } catch (error) {
      if (!(error instanceof RetryableError) || options.signal?.aborted) throw error;
      failures++;
      if (failures > settings.retries) {
        throw new CeranaError(
          'NETWORK',
          `${options.url}: ${error.message} (gave up after ${failures} attempts)`,
          {
            hint: 'check the network or the mirror, then run the update again: it resumes where it stopped',
          },
        );
      }
      const backoff = Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** (failures - 1));
      const delay = error.retryAfterMs ?? backoff * (0.5 + Math.random() / 2);
      await sleep(Math.min(delay, settings.maxBackoffMs), undefined, { signal: options.signal }).catch(
        (error) => {
          // Surface the caller's reason rather than the timer's generic AbortError.
          options.signal?.throwIfAborted();
          throw error;
        },
      );
    }
  }
}

async function attempt(
  options: DownloadOptions,
  settings: typeof DEFAULT_DOWNLOAD,
  part: string,
  partMeta: string,
  state: PartState | undefined,
  have: number,
  onBytes: (n: number) => void,
): Promise<DownloadResult> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'cerana' };
  const validator = state?.etag ?? state?.lastModified;
  const resuming = have > 0 && validator !== undefined;
  if (resuming) {
    headers.range = `bytes=${have}-`;
    headers['if-range'] = validator;
  } else {
    if (options.previous?.etag) headers['if-none-match'] = options.previous.etag;
    if (options.previous?.lastModified) headers['if-modified-since'] = options.previous.lastModified;
  }
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), settings.idleTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  try {
    let response: Response;
    try {
      response = await fetch(options.url, { headers, signal, redirect: 'follow' });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw new RetryableError(networkMessage(error, idle.signal.aborted));
    }
    const status = response.status;
    if (status === 304 && !resuming) {
      await response.body?.cancel();
      return { status: 'unchanged' };
    }
    if (status === 404 || status === 410) {
      await response.body?.cancel();
      return { status: 'missing', httpStatus: status };
    }
    if (status === 416) {
      await response.body?.cancel();
      await discardPart(part, partMeta);
      throw new RetryableError('the server refused to resume the partial download');
    }
    if (status >= 500 || status === 429 || status === 408) {
      await response.body?.cancel();
      throw new RetryableError(`HTTP ${status}`, retryAfter(response.headers.get('retry-after')));
    }
    if (status !== 200 && status !== 206) {
      await response.body?.cancel();
      throw new CeranaError('NETWORK', `${options.url}: HTTP ${status}`, {
        hint: status === 401 || status === 403 ? 'the mirror denies access' : 'check the source URL',
      });
    }
    const validators = validatorsOf(response.headers);
    let offset = 0;
    if (status === 206) {
      const start = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!resuming || start === null || Number(start[1]) !== have) {
        await response.body?.cancel();
        await discardPart(part, partMeta);
        throw new RetryableError('the server resumed at the wrong offset');
      }
      offset = have;
    }
    const length = response.headers.get('content-length');
    const total = length === null ? state?.total : offset + Number(length);
    if (total !== undefined && total > settings.maxBytes) {
      await response.body?.cancel();
      throw new CeranaError(
        'LIMIT',
        `${options.url}: ${total} bytes exceed the ${settings.maxBytes}-byte download limit`,
      );
    }
    // From the response headers on, nothing awaits except the next chunk: when a connection drops,
    // a web stream discards the chunks it still holds, so every received byte goes to disk at once
    // (synchronously) and a resume loses nothing.
    if (offset === 0) {
      const meta: PartState = { url: options.url, ...validators };
      if (total !== undefined) meta.total = total;
      writeFileSync(partMeta, JSON.stringify(meta));
    }
    const fd = openSync(part, offset === 0 ? 'w' : 'a');
    let size = offset;
    try {
      const reader = response.body?.getReader();
      try {
        for (;;) {
          const next = await reader?.read();
          if (next === undefined || next.done) break;
          const chunk = next.value;
          clearTimeout(timer);
          timer = setTimeout(() => idle.abort(), settings.idleTimeoutMs);
          size += chunk.byteLength;
          if (size > settings.maxBytes) {
            await reader?.cancel();
            throw new CeranaError('LIMIT', `${options.url}: more than ${settings.maxBytes} bytes`);
          }
          writeSync(fd, chunk);
          onBytes(chunk.byteLength);
          options.onProgress?.(size, total);
        }
      } catch (error) {
        if (error instanceof CeranaError) throw error;
        options.signal?.throwIfAborted();
        throw new RetryableError(networkMessage(error, idle.signal.aborted));
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (total !== undefined && size !== total) {
      throw new RetryableError(`the transfer stopped at ${size} of ${total} bytes`);
    }
    await rename(part, options.dest);
    await rm(partMeta, { force: true });
    // A resumed file is the version the first response described (If-Range guarantees it).
    const kept = offset > 0 && state !== undefined ? pickValidators(state) : validators;
    return {
      status: 'downloaded',
      path: options.dest,
      validators: kept,
      size,
      transferred: 0,
      resumed: offset > 0,
    };
  } finally {
    clearTimeout(timer);
  }
}

function pickValidators(state: PartState): Validators {
  const validators: Validators = {};
  if (state.etag !== undefined) validators.etag = state.etag;
  if (state.lastModified !== undefined) validators.lastModified = state.lastModified;
  return validators;
}

function validatorsOf(headers: Headers): Validators {
  const validators: Validators = {};
  const etag = headers.get('etag');
  const lastModified = headers.get('last-modified');
  if (etag) validators.etag = etag;
  if (lastModified) validators.lastModified = lastModified;
  return validators;
}

async function readPartState(path: string, url: string): Promise<PartState | undefined> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as PartState;
    return state.url === url ? state : undefined;
  } catch {
    return undefined;
  }
}

async function discardPart(part: string, partMeta: string): Promise<void> {
  await rm(part, { force: true });
  await rm(partMeta, { force: true });
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkMessage(error: unknown, idle: boolean): string {
  if (idle) return 'no data received before the idle timeout';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CeranaError } from '../common/errors.js';
import { loadThreatIntel, parseEpssCsv, parseKevCatalog, type ThreatIntel } from './threat-intel.js';

/** CISA's catalog of known exploited vulnerabilities, and FIRST's daily EPSS scores. */
export const DEFAULT_KEV_URL =
  'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
export const DEFAULT_EPSS_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';
/** Largest feed accepted (decompressed); the real ones are a few MiB and ~15 MiB. */
const MAX_FEED_BYTES = 256 * 1024 * 1024;

export interface ThreatIntelFiles {
  kev: string;
  epss: string;
}

/** Where `updateThreatIntel` keeps the feeds: `<dir>/kev.json` and `<dir>/epss.csv`. */
export function threatIntelFiles(dir: string): ThreatIntelFiles {
  return { kev: join(dir, 'kev.json'), epss: join(dir, 'epss.csv') };
}

export interface FeedUpdate {
  url: string;
  status: 'updated' | 'not-modified';
  entries: number;
  version?: string;
}

export interface ThreatIntelUpdateOptions {
  dir: string;
  kevUrl?: string;
  epssUrl?: string;
  timeoutMs?: number;
}

async function download(
  url: string,
  etag: string | undefined,
  timeoutMs: number,
): Promise<{ body: Buffer; etag?: string } | 'not-modified'> {
  const headers: Record<string, string> = { 'user-agent': 'cerana' };
  if (etag !== undefined) headers['if-none-match'] = etag;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new CeranaError('NETWORK', `cannot fetch ${url}: ${(error as Error).message}`);
  }
  if (response.status === 304) return 'not-modified';
  if (!response.ok) throw new CeranaError('NETWORK', `${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_FEED_BYTES)
    throw new CeranaError('LIMIT', `${url}: ${declared} bytes is more than a feed should be`);
  let body = Buffer.from(await response.arrayBuffer());
  if (body[0] === 0x1f && body[1] === 0x8b) {
    try {
      body = gunzipSync(body, { maxOutputLength: MAX_FEED_BYTES });
    } catch (error) {
      throw new CeranaError('INPUT', `${url}: bad gzip: ${(error as Error).message}`);
    }
  }
  if (body.length > MAX_FEED_BYTES)
    throw new CeranaError('LIMIT', `${url}: feed larger than ${MAX_FEED_BYTES} bytes`);
  const newEtag = response.headers.get('etag');
  return newEtag ? { body, etag: newEtag } : { body };
}

/** Writes next to the target and renames, so a reader never sees half a feed. */
function writeAtomic(path: string, data: Buffer | string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

async function updateFeed(
  url: string,
  path: string,
  timeoutMs: number,
  parse: (text: string, origin: string) => { entries: number; version?: string },
): Promise<FeedUpdate> {
  const etagFile = `${path}.etag`;
  // Only ask "changed since?" when the copy that etag describes is still there.
  const etag = existsSync(path) && existsSync(etagFile) ? readFileSync(etagFile, 'utf8').trim() : undefined;
  const result = await download(url, etag, timeoutMs);
  if (result === 'not-modified') {
    const parsed = parse(readFileSync(path, 'utf8'), path);
    return { url, status: 'not-modified', ...parsed };
  }
  const text = result.body.toString('utf8');
  // Validate before replacing the copy that works.
  const parsed = parse(text, url);
  writeAtomic(path, text);
  if (result.etag) writeAtomic(etagFile, result.etag);
  return { url, status: 'updated', ...parsed };
}

/** Fetches the KEV catalog and the EPSS scores into `dir` (conditional GET, validated, atomic). */
export async function updateThreatIntel(
  options: ThreatIntelUpdateOptions,
): Promise<{ kev: FeedUpdate; epss: FeedUpdate }> {
  mkdirSync(options.dir, { recursive: true });
  const files = threatIntelFiles(options.dir);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const kev = await updateFeed(options.kevUrl ?? DEFAULT_KEV_URL, files.kev, timeoutMs, (text, origin) => {
    const parsed = parseKevCatalog(text, origin);
    return { entries: parsed.kev.size, ...(parsed.kevVersion ? { version: parsed.kevVersion } : {}) };
  });
  const epss = await updateFeed(
    options.epssUrl ?? DEFAULT_EPSS_URL,
    files.epss,
    timeoutMs,
    (text, origin) => {
      const parsed = parseEpssCsv(text, origin);
      return { entries: parsed.epss.size, ...(parsed.epssModel ? { version: parsed.epssModel } : {}) };
    },
  );
  return { kev, epss };
}

/** The feeds a previous update left in `dir`; missing ones are empty. */
export function loadCachedThreatIntel(dir: string): ThreatIntel {
  const files = threatIntelFiles(dir);
  return loadThreatIntel({
    ...(existsSync(files.kev) ? { kev: files.kev } : {}),
    ...(existsSync(files.epss) ? { epss: files.epss } : {}),
  });
}

import { finished } from 'node:stream/promises';
import { FAILSAFE_SCHEMA, load as loadYaml } from 'js-yaml';
import type { Fact, ImageFiles, Interest, StreamedFile } from '../../image/scan/index.js';
import { decodeText, messageOf } from '../text.js';

/**
 * Helpers the language catalogers share for the files package managers write: a size limit per
 * kind of file (a manifest far over it is hostile or broken and is never held in memory),
 * tolerant JSON and YAML reading that turns every problem into a one-line warning naming the
 * file, and small type guards for the untyped documents.
 */

const OVERSIZED = 'oversized';

/** Capture a file up to `limit` bytes; a bigger one is streamed past so it can be reported. */
export function captureUpTo(size: number, limit: number): Interest {
  return size > limit ? 'stream' : 'capture';
}

/** onStream for files over their limit: drains the body and records the size. */
export async function noteOversized(file: StreamedFile): Promise<Fact[]> {
  file.body.resume();
  await finished(file.body);
  return [{ kind: OVERSIZED, data: { size: file.header.size } }];
}

/**
 * One warning per visible file the cataloger refused for its size; `accept` picks the files
 * `limit` applies to, for catalogers with a limit per kind of file.
 */
export function oversizedWarnings(
  files: ImageFiles,
  visitor: string,
  limit: number,
  accept: (path: string) => boolean = () => true,
): string[] {
  return files
    .facts(visitor)
    .filter((fact) => fact.kind === OVERSIZED && accept(fact.path))
    .map((fact) => {
      const size = isRecord(fact.data) ? fact.data.size : undefined;
      return `${fact.path}: not cataloged: ${String(size)} bytes is over the ${limit}-byte limit for this kind of file`;
    });
}

export interface VisibleFile {
  path: string;
  layer: string;
  data: Buffer;
}

/** Captured files still visible in the image whose path the predicate accepts, in path order. */
export function visibleFiles(files: ImageFiles, accept: (path: string) => boolean): VisibleFile[] {
  const found: VisibleFile[] = [];
  for (const file of files.capturedFiles()) {
    if (file.visible && accept(file.path)) found.push(file);
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** JSON text as a value, or undefined with a warning naming the file. */
export function readJson(data: Buffer, path: string, warnings: string[]): unknown {
  const text = decodeText(data, path, warnings);
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    warnings.push(`${path}: not valid JSON: ${messageOf(error)}`);
    return undefined;
  }
}

/**
 * YAML as plain strings, maps and lists (the failsafe schema: `1.10` stays a string, never the
 * number 1.1), parsed with js-yaml: lockfiles run to megabytes, and the `yaml` package the
 * config scanners use for its positions reads them ten times slower. Duplicate keys keep the
 * last value. Lockfiles are machine-written and never use aliases, so a document that does is
 * refused (js-yaml shares an aliased node instead of copying it, so even a billion-laughs
 * document parses small; refusing keeps every walk over the result linear).
 */
export function readYaml(data: Buffer, path: string, warnings: string[]): unknown {
  const text = decodeText(data, path, warnings);
  let doc: unknown;
  try {
    doc = loadYaml(text, { schema: FAILSAFE_SCHEMA, json: true });
  } catch (error) {
    warnings.push(`${path}: not valid YAML: ${firstLine(messageOf(error))}`);
    return undefined;
  }
  if (sharesNodes(doc)) {
    warnings.push(`${path}: not valid YAML: aliases are not allowed in a lockfile`);
    return undefined;
  }
  return doc;
}

/** True when one map or list is reachable twice: the mark of an alias. */
function sharesNodes(root: unknown): boolean {
  const seen = new WeakSet<object>();
  if (typeof root !== 'object' || root === null) return false;
  const pending: object[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as object;
    if (seen.has(node)) return true;
    seen.add(node);
    for (const child of Object.values(node))
      if (typeof child === 'object' && child !== null) pending.push(child);
  }
  return false;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/** True when the text holds no control characters (C0 or DEL): a single printable line. */
export function isOneLine(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string field, trimmed; anything else is undefined. */
export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The directory part of a path (`a/b/c` → `a/b`, `c` → ``). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last part of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a directory and a relative path (`..` and `.` resolved, never above the root). */
export function joinPath(dir: string, relative: string): string {
  const out = dir === '' ? [] : dir.split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

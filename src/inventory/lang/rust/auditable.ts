import type { Readable } from 'node:stream';
import { inflateSync } from 'node:zlib';
import {
  ELF_HEADER_BYTES,
  type ElfHeader,
  isElf,
  PT_LOAD,
  parseElfHeader,
  parseSections,
  parseSegments,
  programHeadersEnd,
  SHT_NOBITS,
} from '../../binary/elf.js';
import { RangeCapture } from '../../binary/range-capture.js';
import { ByteReader } from '../../byte-reader.js';

/**
 * cargo-auditable's dependency list, read from an ELF binary while it streams past.
 *
 * `cargo auditable build` links a non-allocated section `.dep-v0` holding zlib-compressed JSON
 * (`{"packages":[{"name","version","source","kind","dependencies","root"}]}`). Non-allocated
 * sections are laid out after the loaded segments, and the section header table that names them
 * sits at the very end of the file. So the tail of the file after the last loaded segment is
 * kept (at most MAX_TAIL_BYTES of it, right before the section header table) until the table
 * arrives and says where `.dep-v0` is.
 */

export interface AuditablePackage {
  name: string;
  version: string;
  /** `crates.io`, `local`, `git`, `registry` or another source kind. */
  source: string;
  /** `runtime` (compiled into the binary) or `build` (build scripts, proc macros). */
  kind: 'runtime' | 'build';
  root: boolean;
}

export const SECTION = '.dep-v0';
const MAX_TAIL_BYTES = 16 * 1024 * 1024;
const MAX_SECTION_TABLE = 4 * 1024 * 1024;
/** The JSON of the largest real dependency trees is a few hundred KiB. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export class AuditableError extends Error {}

/**
 * The packages recorded in a binary built with cargo-auditable; undefined for anything else.
 * Rejects when the section is there but cannot be read.
 */
export async function readAuditable(body: Readable, size: number): Promise<AuditablePackage[] | undefined> {
  const reader = new ByteReader(body);
  const head = await reader.peek(ELF_HEADER_BYTES);
  if (!isElf(head)) return undefined;
  let header: ElfHeader;
  let loadEnd = 0;
  try {
    header = parseElfHeader(head);
    const phEnd = programHeadersEnd(header);
    if (phEnd > MAX_SECTION_TABLE) return undefined;
    for (const segment of parseSegments(await reader.peek(Math.max(phEnd, ELF_HEADER_BYTES)), header)) {
      if (segment.type === PT_LOAD) loadEnd = Math.max(loadEnd, segment.offset + segment.filesz);
    }
  } catch {
    return undefined;
  }
  const tableBytes = header.shnum * header.shentsize;
  const tableEnd = header.shoff + tableBytes;
  if (header.shoff === 0 || tableBytes === 0 || tableBytes > MAX_SECTION_TABLE || tableEnd > size)
    return undefined;
  const start = Math.max(Math.min(loadEnd, header.shoff), tableEnd - MAX_TAIL_BYTES, 0);
  const tail = new RangeCapture(start, tableEnd - start);

  let position = 0;
  for await (const chunk of reader.rest()) {
    tail.offer(chunk, position);
    position += chunk.length;
    if (tail.complete) break;
  }
  if (!tail.complete) return undefined;

  const table = tail.slice(header.shoff, tableBytes);
  if (table === undefined) return undefined;
  let section: { offset: number; size: number; type: number } | undefined;
  try {
    section = parseSections(table, header, (offset, length) => tail.slice(offset, length)).find(
      (s) => s.name === SECTION,
    );
  } catch {
    return undefined;
  }
  if (section === undefined) return undefined;
  if (section.type === SHT_NOBITS || section.size === 0) throw new AuditableError(`${SECTION} is empty`);
  const compressed = tail.slice(section.offset, section.size);
  if (compressed === undefined) {
    throw new AuditableError(
      `${SECTION} lies more than ${MAX_TAIL_BYTES} bytes before the section table (not kept while streaming)`,
    );
  }
  return parseAuditableJson(inflate(compressed));
}

function inflate(compressed: Buffer): Buffer {
  try {
    return inflateSync(compressed, { maxOutputLength: MAX_JSON_BYTES });
  } catch (error) {
    throw new AuditableError(`${SECTION} does not inflate: ${(error as Error).message}`);
  }
}

/** Validates the dependency list's JSON shape, field by field. */
export function parseAuditableJson(json: Buffer): AuditablePackage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new AuditableError(`${SECTION} is not JSON: ${(error as Error).message}`);
  }
  const list = (parsed as { packages?: unknown })?.packages;
  if (!Array.isArray(list)) throw new AuditableError(`${SECTION} has no packages list`);
  return list.map((entry, i): AuditablePackage => {
    const { name, version, source, kind, root } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) {
      throw new AuditableError(`${SECTION}: package ${i} has no name or version`);
    }
    return {
      name,
      version,
      source: typeof source === 'string' ? source : 'crates.io',
      kind: kind === 'build' ? 'build' : 'runtime',
      root: root === true,
    };
  });
}

import type { Readable } from 'node:stream';
import { inflateSync } from 'node:zlib';
import { type ChunkParser, feedParsers, HeadBuffer, readElfStart } from '../../binary/chunk-parser.js';
import { type ElfHeader, findSection, PT_LOAD, SHT_NOBITS } from '../../binary/elf.js';
import { RangeCapture } from '../../binary/range-capture.js';

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
  const parser = new AuditableParser(size);
  await feedParsers(body, [parser]);
  return parser.result();
}

/** The push parser behind readAuditable: feed it the file's chunks, then ask for the result. */
export class AuditableParser implements ChunkParser {
  private readonly head = new HeadBuffer();
  private state: 'head' | 'tail' | 'done' = 'head';
  private header: ElfHeader | undefined;
  private tail: RangeCapture | undefined;

  constructor(private readonly size: number) {}

  feed(chunk: Buffer, at: number): boolean {
    if (this.state === 'head') {
      this.head.add(chunk);
      if (this.start()) for (const [part, offset] of this.head.drain()) this.tail?.offer(part, offset);
    } else if (this.state === 'tail') {
      this.tail?.offer(chunk, at);
    }
    if (this.tail?.complete) this.state = 'done';
    return this.state !== 'done';
  }

  /** Once the file ended or feed() returned false: the packages, or undefined. Throws when damaged. */
  result(): AuditablePackage[] | undefined {
    const { header, tail } = this;
    if (header === undefined || tail === undefined || !tail.complete) return undefined;
    const tableBytes = header.shnum * header.shentsize;
    const table = tail.slice(header.shoff, tableBytes);
    if (table === undefined) return undefined;
    let section: { offset: number; size: number; type: number } | undefined;
    try {
      section = findSection(table, header, (offset, length) => tail.slice(offset, length), SECTION);
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

  /** Once the headers are in: which tail of the file to keep (true once started). */
  private start(): boolean {
    const start = readElfStart(this.head.data);
    if (start === 'more') return false;
    const tableBytes = start === 'not-elf' ? 0 : start.header.shnum * start.header.shentsize;
    if (
      start === 'not-elf' ||
      start.header.shoff === 0 ||
      tableBytes === 0 ||
      tableBytes > MAX_SECTION_TABLE
    ) {
      this.state = 'done';
      return false;
    }
    const header = start.header;
    const tableEnd = header.shoff + tableBytes;
    if (tableEnd > this.size) {
      this.state = 'done';
      return false;
    }
    let loadEnd = 0;
    for (const s of start.segments) if (s.type === PT_LOAD) loadEnd = Math.max(loadEnd, s.offset + s.filesz);
    const from = Math.max(Math.min(loadEnd, header.shoff), tableEnd - MAX_TAIL_BYTES, 0);
    this.header = header;
    this.tail = new RangeCapture(from, tableEnd - from);
    this.state = 'tail';
    return true;
  }
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

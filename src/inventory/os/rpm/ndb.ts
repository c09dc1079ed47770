/**
 * Header blobs of rpm's "ndb" package database (`Packages.db`, SUSE), held in memory. Format
 * (lib/backend/ndb/rpmpkg.c), all numbers little-endian:
 *
 *   header (32 bytes): 'RpmP' | version 0 | generation | slot pages | next package index
 *   slots (16 bytes each, from byte 32 through `slot pages` × 4096): 'Slot' | package index |
 *     block offset | block count — offset 0 marks a free slot; a block is 16 bytes
 *   blob at block offset × 16: 'BlbS' | package index | timestamp | length | header blob |
 *     zero padding | tail ending its blocks: adler32 (of all before it) | length | 'BlbE'
 */

export class NdbFormatError extends Error {}

const MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_MAGIC = 0x53626c42; // 'BlbS'
const BLOB_TAIL_MAGIC = 0x45626c42; // 'BlbE'
const SLOT_PAGE = 4096;
const SLOT_SIZE = 16;
const BLOCK = 16;
const BLOB_HEAD = 16;
const BLOB_TAIL = 12;

export function isNdb(data: Buffer): boolean {
  return data.length >= 32 && data.readUInt32LE(0) === MAGIC;
}

export function ndbBlobs(data: Buffer): { blobs: Buffer[]; warnings: string[] } {
  if (!isNdb(data)) throw new NdbFormatError('not an rpm ndb database');
  const version = data.readUInt32LE(4);
  if (version !== 0) throw new NdbFormatError(`unsupported ndb version ${version}`);
  const slotPages = data.readUInt32LE(12);
  const slotsEnd = slotPages * SLOT_PAGE;
  if (slotPages === 0 || slotsEnd > data.length) {
    throw new NdbFormatError(`slot area of ${slotPages} pages does not fit in ${data.length} bytes`);
  }
  const blobs: Buffer[] = [];
  const warnings: string[] = [];
  for (let at = 32; at < slotsEnd; at += SLOT_SIZE) {
    if (data.readUInt32LE(at) !== SLOT_MAGIC) {
      warnings.push(`slot at byte ${at} is damaged; the slot table ends there`);
      break;
    }
    const index = data.readUInt32LE(at + 4);
    const blockOffset = data.readUInt32LE(at + 8);
    const blockCount = data.readUInt32LE(at + 12);
    if (blockOffset === 0) continue;
    try {
      blobs.push(readBlob(data, index, blockOffset, blockCount, slotsEnd));
    } catch (error) {
      warnings.push(`package ${index}: ${(error as Error).message}`);
    }
  }
  return { blobs, warnings };
}

function readBlob(
  data: Buffer,
  index: number,
  blockOffset: number,
  blockCount: number,
  slotsEnd: number,
): Buffer {
  const start = blockOffset * BLOCK;
  const end = start + blockCount * BLOCK;
  if (start < slotsEnd || blockCount * BLOCK < BLOB_HEAD + BLOB_TAIL) throw new NdbFormatError('bad slot');
  if (end > data.length) throw new NdbFormatError('blob runs past the end of the file (truncated database)');
  if (data.readUInt32LE(start) !== BLOB_MAGIC || data.readUInt32LE(start + 4) !== index) {
    throw new NdbFormatError('blob header does not match its slot');
  }
  const length = data.readUInt32LE(start + 12);
  if (BLOB_HEAD + length + BLOB_TAIL > end - start)
    throw new NdbFormatError('blob is longer than its blocks');
  if (data.readUInt32LE(end - 4) !== BLOB_TAIL_MAGIC || data.readUInt32LE(end - 8) !== length) {
    throw new NdbFormatError('blob tail is damaged');
  }
  if (adler32(data.subarray(start, end - BLOB_TAIL)) !== data.readUInt32LE(end - BLOB_TAIL)) {
    throw new NdbFormatError('blob checksum does not match');
  }
  return data.subarray(start + BLOB_HEAD, start + BLOB_HEAD + length);
}

/** Adler-32 (RFC 1950), as rpm computes it over a blob's head, body and padding. */
function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  // 5552 is the longest run before the sums can exceed 2^32 (zlib's NMAX).
  for (let i = 0; i < bytes.length; ) {
    const stop = Math.min(i + 5552, bytes.length);
    for (; i < stop; i++) {
      a += bytes[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

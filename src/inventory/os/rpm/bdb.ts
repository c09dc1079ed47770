/**
 * Values of a Berkeley DB hash database held in memory: rpm ≤ 4.15's `Packages` file, one
 * header blob per value. Every page is visited in file order; on hash pages the odd items are
 * values, stored inline or (for anything as big as a header) in a chain of overflow pages.
 * Keys (the package instance numbers) are not needed.
 *
 * Layout (db/db_page.h): a 72-byte generic meta header on page 0 (magic 0x061561 for hash, in
 * the byte order of the machine that wrote it, which every other page shares), then pages of
 * `pagesize` bytes each starting with a 26-byte header and, on hash pages, an index of u16 item
 * offsets; item i spans from its offset to the previous item's offset (or the page end).
 */

export class BdbFormatError extends Error {}

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_OVERFLOW = 7;
const P_HASH_UNSORTED = 2;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export function isBerkeleyHash(data: Buffer): boolean {
  return data.length >= 72 && (data.readUInt32LE(12) === HASH_MAGIC || data.readUInt32BE(12) === HASH_MAGIC);
}

export function berkeleyHashValues(data: Buffer): { values: Buffer[]; warnings: string[] } {
  if (!isBerkeleyHash(data)) throw new BdbFormatError('not a Berkeley DB hash database');
  const little = data.readUInt32LE(12) === HASH_MAGIC;
  const u32 = (at: number) => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const u16 = (at: number) => (little ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new BdbFormatError(`invalid page size ${pageSize}`);
  }
  if (data[24] !== 0) throw new BdbFormatError('the database is encrypted');
  const pages = Math.floor(data.length / pageSize);
  const lastPage = u32(32);
  const warnings: string[] = [];
  if (lastPage >= pages) {
    warnings.push(`truncated: the database has ${lastPage + 1} pages but the file holds ${pages}`);
  }

  const overflow = (first: number, length: number): Buffer => {
    const parts: Buffer[] = [];
    let remaining = length;
    let page = first;
    const seen = new Set<number>();
    while (remaining > 0) {
      if (page === 0 || page >= pages || seen.has(page)) {
        throw new BdbFormatError(`overflow chain breaks at page ${page}`);
      }
      seen.add(page);
      const base = page * pageSize;
      if (data[base + 25] !== P_OVERFLOW) throw new BdbFormatError(`page ${page} is not an overflow page`);
      const onPage = Math.min(u16(base + 22), pageSize - PAGE_HEADER, remaining);
      parts.push(data.subarray(base + PAGE_HEADER, base + PAGE_HEADER + onPage));
      remaining -= onPage;
      page = u32(base + 16);
      if (onPage === 0 && remaining > 0) throw new BdbFormatError(`overflow page ${page} is empty`);
    }
    return Buffer.concat(parts, length);
  };

  const values: Buffer[] = [];
  for (let page = 1; page < pages; page++) {
    const base = page * pageSize;
    const type = data[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(base + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) {
      warnings.push(`page ${page}: ${entries} items cannot fit; page skipped`);
      continue;
    }
    for (let i = 1; i < entries; i += 2) {
      const start = u16(base + PAGE_HEADER + i * 2);
      const end = u16(base + PAGE_HEADER + (i - 1) * 2);
      if (start < PAGE_HEADER + entries * 2 || end > pageSize || start >= end) {
        warnings.push(`page ${page}: item ${i} lies outside the page; skipped`);
        continue;
      }
      const item = base + start;
      try {
        if (data[item] === H_OFFPAGE) {
          if (end - start < 12) throw new BdbFormatError('off-page item is too short');
          values.push(overflow(u32(item + 4), u32(item + 8)));
        } else if (data[item] === H_KEYDATA) {
          values.push(data.subarray(item + 1, base + end));
        }
      } catch (error) {
        warnings.push(`page ${page}: item ${i}: ${(error as Error).message}`);
      }
    }
  }
  return { values, warnings };
}

/**
 * An open-addressing hash index from path bytes to an integer reference. Keys are not stored
 * here: the owner compares a candidate reference's bytes (they already live in the layers'
 * path tables), so a million paths cost two 4-byte slots each instead of a million strings.
 * FNV-1a is used because it can be computed incrementally: the hash of every ancestor of a
 * path falls out of hashing the path once.
 */
export const FNV_OFFSET = 0x811c9dc5;

export function fnv(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193) >>> 0;
  return h;
}

export type KeyEquals = (ref: number, bytes: Uint8Array, start: number, end: number) => boolean;

export class PathIndex {
  private refs: Int32Array;
  private hashes: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(
    expected: number,
    private readonly equals: KeyEquals,
  ) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.refs = new Int32Array(capacity).fill(-1);
    this.hashes = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The reference stored for the key, or -1. */
  find(hash: number, bytes: Uint8Array, start: number, end: number): number {
    const refs = this.refs;
    const hashes = this.hashes;
    let slot = hash & this.mask;
    for (;;) {
      const ref = refs[slot] as number;
      if (ref < 0) return -1;
      if (hashes[slot] === hash && this.equals(ref, bytes, start, end)) return ref;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Adds a key known to be absent. */
  insert(hash: number, ref: number): void {
    if ((this.count + 1) * 2 > this.refs.length) this.rehash();
    this.place(hash, ref);
    this.count++;
  }

  private place(hash: number, ref: number): void {
    let slot = hash & this.mask;
    while ((this.refs[slot] as number) >= 0) slot = (slot + 1) & this.mask;
    this.refs[slot] = ref;
    this.hashes[slot] = hash;
  }

  private rehash(): void {
    const refs = this.refs;
    const hashes = this.hashes;
    this.refs = new Int32Array(refs.length * 2).fill(-1);
    this.hashes = new Uint32Array(refs.length * 2);
    this.mask = this.refs.length - 1;
    for (let slot = 0; slot < refs.length; slot++) {
      const ref = refs[slot] as number;
      if (ref >= 0) this.place(hashes[slot] as number, ref);
    }
  }
}

/** Byte-wise equality of two ranges (short paths: cheaper in JS than a native call). */
export function bytesEqual(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): boolean {
  const n = aEnd - aStart;
  if (n !== bEnd - bStart) return false;
  for (let i = 0; i < n; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/**
 * rpm header blobs, as every rpm database stores them: an index of tag entries followed by the
 * data store, everything big-endian.
 *
 *   il (u32) | dl (u32) | il × { tag u32, type u32, offset u32, count u32 } | data (dl bytes)
 *
 * Only the tags an inventory needs are read; offsets and counts are checked against the blob
 * so a corrupt header is an error, never an out-of-bounds read.
 */

export interface RpmHeader {
  name: string;
  /** Absent when the package has no Epoch tag (rpm treats that as 0). */
  epoch?: number;
  version: string;
  release: string;
  /** Empty for gpg-pubkey pseudo-packages. */
  arch: string;
  /** `name-version-release.src.rpm` of the source package. */
  sourceRpm: string;
  license: string;
  vendor: string;
  /** Owned files, image-root relative. */
  files: string[];
}

const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  vendor: 1011,
  arch: 1022,
  oldFilenames: 1027,
  sourceRpm: 1044,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

/** rpm's own limits on header size (lib/header.c): more is corruption, not a package. */
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_BYTES = 256 * 1024 * 1024;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export class RpmHeaderError extends Error {}

export function parseRpmHeader(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw new RpmHeaderError(`header blob of ${blob.length} bytes is too short`);
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il === 0 || il > MAX_INDEX_ENTRIES || dl > MAX_DATA_BYTES) {
    throw new RpmHeaderError(`header claims ${il} entries and ${dl} data bytes`);
  }
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) {
    throw new RpmHeaderError(`header needs ${dataStart + dl} bytes but the blob has ${blob.length}`);
  }
  const data = blob.subarray(dataStart, dataStart + dl);
  const entries = new Map<number, Entry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readUInt32BE(at);
    // The first entry for a tag wins: later ones are install-time additions outside the signed region.
    if (!entries.has(tag)) {
      entries.set(tag, {
        type: blob.readUInt32BE(at + 4),
        offset: blob.readUInt32BE(at + 8),
        count: blob.readUInt32BE(at + 12),
      });
    }
  }
  const reader = new EntryReader(data, entries);
  const name = reader.string(TAG.name);
  if (!name) throw new RpmHeaderError('header has no Name tag');
  const header: RpmHeader = {
    name,
    version: reader.string(TAG.version),
    release: reader.string(TAG.release),
    arch: reader.string(TAG.arch),
    sourceRpm: reader.string(TAG.sourceRpm),
    license: reader.string(TAG.license),
    vendor: reader.string(TAG.vendor),
    files: reader.files(),
  };
  const epoch = reader.int32s(TAG.epoch)[0];
  if (epoch !== undefined) header.epoch = epoch;
  return header;
}

class EntryReader {
  constructor(
    private readonly data: Buffer,
    private readonly entries: Map<number, Entry>,
  ) {}

  string(tag: number): string {
    const entry = this.entries.get(tag);
    if (entry === undefined) return '';
    if (entry.type !== TYPE_STRING && entry.type !== TYPE_I18NSTRING && entry.type !== TYPE_STRING_ARRAY) {
      throw new RpmHeaderError(`tag ${tag} has type ${entry.type}, not a string`);
    }
    return this.strings(entry, 1)[0] ?? '';
  }

  stringArray(tag: number): string[] {
    const entry = this.entries.get(tag);
    if (entry === undefined) return [];
    if (entry.type !== TYPE_STRING_ARRAY) throw new RpmHeaderError(`tag ${tag} is not a string array`);
    return this.strings(entry, entry.count);
  }

  int32s(tag: number): number[] {
    const entry = this.entries.get(tag);
    if (entry === undefined) return [];
    if (entry.type !== TYPE_INT32) throw new RpmHeaderError(`tag ${tag} is not an int32 array`);
    if (entry.offset % 4 !== 0 || entry.offset + entry.count * 4 > this.data.length) {
      throw new RpmHeaderError(`tag ${tag} points outside the header data`);
    }
    const values: number[] = [];
    for (let i = 0; i < entry.count; i++) values.push(this.data.readInt32BE(entry.offset + i * 4));
    return values;
  }

  /** Owned paths: basenames joined to their dirnames (rpm ≥ 4.1) or legacy full file names. */
  files(): string[] {
    const baseNames = this.stringArray(TAG.baseNames);
    if (baseNames.length === 0) return this.stringArray(TAG.oldFilenames).map(stripRoot);
    const dirNames = this.stringArray(TAG.dirNames);
    const dirIndexes = this.int32s(TAG.dirIndexes);
    if (dirIndexes.length !== baseNames.length) {
      throw new RpmHeaderError(`${baseNames.length} base names but ${dirIndexes.length} dir indexes`);
    }
    return baseNames.map((base, i) => {
      const dir = dirNames[dirIndexes[i] as number];
      if (dir === undefined) throw new RpmHeaderError(`dir index ${dirIndexes[i]} out of range`);
      return stripRoot(dir + base);
    });
  }

  private strings(entry: Entry, count: number): string[] {
    const values: string[] = [];
    let at = entry.offset;
    for (let i = 0; i < count; i++) {
      const end = this.data.indexOf(0, at);
      if (at >= this.data.length || end < 0) throw new RpmHeaderError('string runs past the header data');
      values.push(this.data.toString('utf8', at, end));
      at = end + 1;
    }
    return values;
  }
}

function stripRoot(path: string): string {
  return path.replace(/^\/+/, '');
}

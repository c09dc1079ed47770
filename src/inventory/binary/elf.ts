/**
 * The parts of the ELF format (System V gABI) that streaming binary catalogers need: the file
 * header, program headers (where each loadable segment sits in the file, known from the first
 * bytes) and section headers (named sections, known only once the table near the end is read).
 * Both classes and byte orders; every offset is checked before use.
 */

export interface ElfHeader {
  bits: 32 | 64;
  littleEndian: boolean;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  /** Bytes in memory; beyond filesz they are zero (.bss), not in the file. */
  memsz: number;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
}

export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PF_X = 1;
export const PF_W = 2;
export const SHT_NOBITS = 8;
/** Bytes of the largest ELF file header (64-bit). */
export const ELF_HEADER_BYTES = 64;

export class ElfFormatError extends Error {}

export function isElf(data: Buffer): boolean {
  return data.length >= 4 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

/** Reads numbers of the file's class and byte order. */
class Fields {
  constructor(
    private readonly data: Buffer,
    private readonly le: boolean,
  ) {}
  u16(at: number): number {
    return this.le ? this.data.readUInt16LE(at) : this.data.readUInt16BE(at);
  }
  u32(at: number): number {
    return this.le ? this.data.readUInt32LE(at) : this.data.readUInt32BE(at);
  }
  u64(at: number): number {
    const value = this.le ? this.data.readBigUInt64LE(at) : this.data.readBigUInt64BE(at);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfFormatError('offset beyond 2^53');
    return Number(value);
  }
  word(at: number, bits: 32 | 64): number {
    return bits === 64 ? this.u64(at) : this.u32(at);
  }
}

export function parseElfHeader(data: Buffer): ElfHeader {
  if (!isElf(data)) throw new ElfFormatError('not an ELF file');
  const bits = data[4] === 1 ? 32 : data[4] === 2 ? 64 : undefined;
  const littleEndian = data[5] === 1 ? true : data[5] === 2 ? false : undefined;
  if (bits === undefined || littleEndian === undefined)
    throw new ElfFormatError('unknown ELF class or byte order');
  if (data.length < (bits === 64 ? 64 : 52)) throw new ElfFormatError('ELF header is truncated');
  const f = new Fields(data, littleEndian);
  return bits === 64
    ? {
        bits,
        littleEndian,
        phoff: f.u64(32),
        shoff: f.u64(40),
        phentsize: f.u16(54),
        phnum: f.u16(56),
        shentsize: f.u16(58),
        shnum: f.u16(60),
        shstrndx: f.u16(62),
      }
    : {
        bits,
        littleEndian,
        phoff: f.u32(28),
        shoff: f.u32(32),
        phentsize: f.u16(42),
        phnum: f.u16(44),
        shentsize: f.u16(46),
        shnum: f.u16(48),
        shstrndx: f.u16(50),
      };
}

/** Where the program header table ends: the file bytes needed before segments are known. */
export function programHeadersEnd(header: ElfHeader): number {
  return header.phoff + header.phnum * header.phentsize;
}

/** The program headers; `data` holds the file from offset 0 at least to programHeadersEnd(). */
export function parseSegments(data: Buffer, header: ElfHeader): ElfSegment[] {
  const minSize = header.bits === 64 ? 56 : 32;
  if (header.phnum > 0 && header.phentsize < minSize)
    throw new ElfFormatError('program header entries too small');
  if (programHeadersEnd(header) > data.length)
    throw new ElfFormatError('program headers lie outside the data');
  const f = new Fields(data, header.littleEndian);
  const segments: ElfSegment[] = [];
  for (let i = 0; i < header.phnum; i++) {
    const at = header.phoff + i * header.phentsize;
    segments.push(
      header.bits === 64
        ? {
            type: f.u32(at),
            flags: f.u32(at + 4),
            offset: f.u64(at + 8),
            vaddr: f.u64(at + 16),
            filesz: f.u64(at + 32),
            memsz: f.u64(at + 40),
          }
        : {
            type: f.u32(at),
            offset: f.u32(at + 4),
            vaddr: f.u32(at + 8),
            filesz: f.u32(at + 16),
            memsz: f.u32(at + 20),
            flags: f.u32(at + 24),
          },
    );
  }
  return segments;
}

/** The file offset a virtual address is loaded from, if a segment maps it from the file. */
export function fileOffsetOf(segments: readonly ElfSegment[], vaddr: number): number | undefined {
  for (const s of segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz)
      return s.offset + (vaddr - s.vaddr);
  }
  return undefined;
}

/** True when a virtual address lies in zero-initialized memory (.bss): loaded, but not from the file. */
export function isZeroFilled(segments: readonly ElfSegment[], vaddr: number): boolean {
  return segments.some(
    (s) => s.type === PT_LOAD && vaddr >= s.vaddr + s.filesz && vaddr < s.vaddr + Math.max(s.memsz, s.filesz),
  );
}

/**
 * The section of that name. `table` holds the section header table (from header.shoff);
 * `readNames` returns the bytes of the section-name string table given its offset and size.
 * Most binaries lack the name asked for: the string table is searched first, and only then are
 * the headers read.
 */
export function findSection(
  table: Buffer,
  header: ElfHeader,
  readNames: (offset: number, size: number) => Buffer | undefined,
  name: string,
): ElfSection | undefined {
  const entry = header.bits === 64 ? 64 : 40;
  if (header.shnum === 0) return undefined;
  if (header.shentsize < entry || table.length < header.shnum * header.shentsize) {
    throw new ElfFormatError('section header table is truncated');
  }
  const f = new Fields(table, header.littleEndian);
  const sectionAt = (i: number) => {
    const at = i * header.shentsize;
    return header.bits === 64
      ? {
          nameAt: f.u32(at),
          type: f.u32(at + 4),
          flags: f.u64(at + 8),
          offset: f.u64(at + 24),
          size: f.u64(at + 32),
        }
      : {
          nameAt: f.u32(at),
          type: f.u32(at + 4),
          flags: f.u32(at + 8),
          offset: f.u32(at + 16),
          size: f.u32(at + 20),
        };
  };
  if (header.shstrndx >= header.shnum) throw new ElfFormatError('section name table index out of range');
  const strtab = sectionAt(header.shstrndx);
  const names = readNames(strtab.offset, strtab.size);
  if (names === undefined) throw new ElfFormatError('section names are not available');
  const wanted = Buffer.from(`${name}\0`, 'latin1');
  if (names.indexOf(wanted) < 0) return undefined;
  for (let i = 0; i < header.shnum; i++) {
    const { nameAt, ...section } = sectionAt(i);
    if (
      nameAt + wanted.length <= names.length &&
      names.subarray(nameAt, nameAt + wanted.length).equals(wanted)
    ) {
      return { ...section, name };
    }
  }
  return undefined;
}

/** One ELF note (a PT_NOTE segment holds a sequence of them). */
export interface ElfNote {
  name: string;
  type: number;
  desc: Buffer;
}

/** The notes in a PT_NOTE segment's bytes: namesz, descsz, type, then name and desc padded to 4. */
export function parseNotes(data: Buffer, littleEndian: boolean): ElfNote[] {
  const u32 = (at: number) => (littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const notes: ElfNote[] = [];
  for (let at = 0; at + 12 <= data.length; ) {
    const nameSize = u32(at);
    const descSize = u32(at + 4);
    const type = u32(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(nameSize);
    const next = descAt + align4(descSize);
    if (next > data.length || next <= at) break;
    const name = data.toString('latin1', nameAt, nameAt + nameSize).replace(/\0+$/, '');
    notes.push({ name, type, desc: data.subarray(descAt, descAt + descSize) });
    at = next;
  }
  return notes;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

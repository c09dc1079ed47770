/**
 * The tar header format as the local sources need it: decoding the headers of an archive we
 * index (docker save, OCI archives) and encoding the headers of a tar we generate (`dir:`).
 * ustar with the GNU long-name and PAX extensions; base-256 numbers for values octal cannot hold.
 */
import { CeranaError } from '../../common/errors.js';

export const BLOCK = 512;

/** Raw type flags from the header; extension records are resolved by the caller. */
export interface RawHeader {
  name: string;
  linkname: string;
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  devmajor: number;
  devminor: number;
}

function readString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

function readNumber(block: Buffer, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    // Base-256: big-endian, high bit of the first byte is the marker. 0xff marks negatives.
    if (first === 0xff) return -1;
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) {
      value = value * 256 + (block[i] ?? 0);
      if (value > Number.MAX_SAFE_INTEGER) return -1;
    }
    return value;
  }
  const text = readString(block, start, length).trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : -1;
}

function checksumOf(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Decodes one 512-byte header. Throws on a bad checksum or size: an archive whose headers do
 * not add up cannot be indexed safely. `where` names the archive position in the error.
 */
export function decodeHeader(block: Buffer, where: string): RawHeader {
  const stored = readNumber(block, 148, 8);
  if (stored !== checksumOf(block)) {
    throw new CeranaError('INPUT', `corrupt tar header ${where}: checksum mismatch`, {
      hint: 'the archive is damaged or not a tar file',
    });
  }
  const size = readNumber(block, 124, 12);
  if (size < 0) throw new CeranaError('INPUT', `corrupt tar header ${where}: bad size field`);
  const magic = block.toString('latin1', 257, 263);
  let name = readString(block, 0, 100);
  // POSIX ustar keeps a path prefix at 345; the old GNU format uses those bytes for times.
  if (magic === 'ustar\0') {
    const prefix = readString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    linkname: readString(block, 157, 100),
    typeflag: String.fromCharCode(block[156] ?? 0),
    size,
    mode: Math.max(0, readNumber(block, 100, 8)),
    uid: Math.max(0, readNumber(block, 108, 8)),
    gid: Math.max(0, readNumber(block, 116, 8)),
    mtime: Math.max(0, readNumber(block, 136, 12)),
    devmajor: Math.max(0, readNumber(block, 329, 8)),
    devminor: Math.max(0, readNumber(block, 337, 8)),
  };
}

/** Parses PAX records (`"<len> <key>=<value>\n"`); malformed records end the parse. */
export function parsePax(body: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < body.length && body[pos] !== 0) {
    const space = body.indexOf(0x20, pos);
    if (space < 0 || space - pos > 12) break;
    const length = Number(body.toString('latin1', pos, space));
    const end = pos + length;
    if (!Number.isSafeInteger(length) || length <= space - pos || end > body.length) break;
    const record = body.toString('utf8', space + 1, end - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    pos = end;
  }
  return records;
}

export function paddingFor(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** What a generated tar entry says about itself. */
export interface EntrySpec {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const TYPEFLAG: Record<EntrySpec['type'], string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

const DEFAULT_MODE: Record<EntrySpec['type'], number> = {
  file: 0o644,
  hardlink: 0o644,
  symlink: 0o777,
  char: 0o644,
  block: 0o644,
  dir: 0o755,
  fifo: 0o644,
};

const OCTAL_LIMIT = { 8: 0o7777777, 12: 0o77777777777 } as const;

function writeOctal(block: Buffer, value: number, start: number, length: 8 | 12): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, start, length, 'latin1');
}

function fitsAscii(text: string, max: number): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL must be refused in a header field
  return text.length <= max && /^[\x01-\x7f]*$/.test(text);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

function encodeRaw(fields: {
  name: string;
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, fields.mode & 0o7777777, 100, 8);
  writeOctal(block, fields.uid, 108, 8);
  writeOctal(block, fields.gid, 116, 8);
  writeOctal(block, fields.size, 124, 12);
  writeOctal(block, fields.mtime, 136, 12);
  block.write(fields.typeflag, 156, 1, 'latin1');
  block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  writeOctal(block, fields.devmajor, 329, 8);
  writeOctal(block, fields.devminor, 337, 8);
  block.write('        ', 148, 8, 'latin1');
  writeOctal(block, checksumOf(block), 148, 8);
  return block;
}

/**
 * Encodes the header block(s) of one entry: a PAX record precedes it when the path or link
 * name is long or not ASCII, or a number does not fit its octal field. Content and padding
 * are the caller's.
 */
export function encodeHeader(spec: EntrySpec): Buffer {
  const size = spec.type === 'file' ? (spec.size ?? 0) : 0;
  const path = spec.type === 'dir' && !spec.path.endsWith('/') ? `${spec.path}/` : spec.path;
  const linkname = spec.linkname ?? '';
  const uid = spec.uid ?? 0;
  const gid = spec.gid ?? 0;
  const mtime = Math.max(0, Math.floor(spec.mtime ?? 0));
  const pax: string[] = [];
  if (!fitsAscii(path, 100)) pax.push(paxRecord('path', path));
  if (!fitsAscii(linkname, 100)) pax.push(paxRecord('linkpath', linkname));
  if (size > OCTAL_LIMIT[12]) pax.push(paxRecord('size', String(size)));
  if (uid > OCTAL_LIMIT[8]) pax.push(paxRecord('uid', String(uid)));
  if (gid > OCTAL_LIMIT[8]) pax.push(paxRecord('gid', String(gid)));
  if (mtime > OCTAL_LIMIT[12]) pax.push(paxRecord('mtime', String(mtime)));
  const header = encodeRaw({
    name: fitsAscii(path, 100) ? path : path.slice(0, 99).replace(/[^\x20-\x7e]/g, '_'),
    typeflag: TYPEFLAG[spec.type],
    size: Math.min(size, OCTAL_LIMIT[12]),
    mode: spec.mode ?? DEFAULT_MODE[spec.type],
    uid: Math.min(uid, OCTAL_LIMIT[8]),
    gid: Math.min(gid, OCTAL_LIMIT[8]),
    mtime: Math.min(mtime, OCTAL_LIMIT[12]),
    linkname: fitsAscii(linkname, 100) ? linkname : '',
    devmajor: Math.min(spec.devmajor ?? 0, OCTAL_LIMIT[8]),
    devminor: Math.min(spec.devminor ?? 0, OCTAL_LIMIT[8]),
  });
  if (pax.length === 0) return header;
  const body = Buffer.from(pax.join(''), 'utf8');
  const paxHeader = encodeRaw({
    name: 'PaxHeader',
    typeflag: 'x',
    size: body.length,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, body, Buffer.alloc(paddingFor(body.length)), header]);
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

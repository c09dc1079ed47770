import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Image, Layer } from '../../../src/image/types.js';

/**
 * Writes tar archives for tests, including ones no honest tool would write: any type flag,
 * raw names with `..`, PAX and GNU extension headers, base-256 numbers, bad checksums.
 */
export interface EntrySpec {
  name: string;
  /** Type flag character ('0' file, '5' dir, '2' symlink, '1' hard link, 'x', 'L', ...). */
  type?: string;
  body?: Buffer | string;
  /** Size field when it should differ from the body length. */
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  /** ustar prefix field. */
  prefix?: string;
  format?: 'ustar' | 'gnu';
  /** PAX records put in an 'x' header before this entry. */
  pax?: Record<string, string>;
  /** GNU 'L' long name header before this entry. */
  longName?: string;
  /** GNU 'K' long link header before this entry. */
  longLink?: string;
  /** Write the size field in base-256. */
  base256?: boolean;
  badChecksum?: boolean;
}

export function header(spec: EntrySpec): Buffer {
  const block = Buffer.alloc(512);
  const body = toBuffer(spec.body);
  const size = spec.size ?? body.length;
  block.write(spec.name, 0, 100, 'utf8');
  octal(block, 100, 8, spec.mode ?? 0o644);
  octal(block, 108, 8, spec.uid ?? 0);
  octal(block, 116, 8, spec.gid ?? 0);
  if (spec.base256) {
    block[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      block[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  } else {
    octal(block, 124, 12, size);
  }
  octal(block, 136, 12, spec.mtime ?? 1_700_000_000);
  block.write(spec.type ?? '0', 156, 1, 'latin1');
  block.write(spec.linkname ?? '', 157, 100, 'utf8');
  if (spec.format === 'gnu') {
    block.write('ustar  \0', 257, 8, 'latin1');
  } else {
    block.write('ustar\0', 257, 6, 'latin1');
    block.write('00', 263, 2, 'latin1');
    if (spec.prefix) block.write(spec.prefix, 345, 155, 'utf8');
  }
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  if (spec.badChecksum) sum += 1;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

export function paxBody(records: Record<string, string>): Buffer {
  let text = '';
  for (const [key, value] of Object.entries(records)) {
    const rest = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(rest) + 1;
    while (String(length).length + Buffer.byteLength(rest) !== length) length++;
    text += `${length}${rest}`;
  }
  return Buffer.from(text, 'utf8');
}

/** One entry with its extension headers, body and padding. */
export function entry(spec: EntrySpec): Buffer {
  const parts: Buffer[] = [];
  if (spec.pax) parts.push(...withBody({ name: 'PaxHeader', type: 'x', body: paxBody(spec.pax) }));
  if (spec.longName !== undefined) {
    parts.push(...withBody({ name: '././@LongLink', type: 'L', format: 'gnu', body: `${spec.longName}\0` }));
  }
  if (spec.longLink !== undefined) {
    parts.push(...withBody({ name: '././@LongLink', type: 'K', format: 'gnu', body: `${spec.longLink}\0` }));
  }
  parts.push(...withBody(spec));
  return Buffer.concat(parts);
}

function withBody(spec: EntrySpec): Buffer[] {
  const body = toBuffer(spec.body);
  const pad = (512 - (body.length % 512)) % 512;
  return [header(spec), body, Buffer.alloc(pad)];
}

export function tar(specs: EntrySpec[], options: { end?: boolean } = {}): Buffer {
  const parts = specs.map(entry);
  if (options.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A layer served from memory in chunks of `chunkSize`; counts how often it is opened. */
export interface MemoryLayer extends Layer {
  opens: number;
}

export function memoryLayer(
  data: Buffer,
  options: { chunkSize?: number; diffId?: string } = {},
): MemoryLayer {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const diffId = options.diffId ?? sha256(data);
  const layer: MemoryLayer = {
    digest: diffId,
    diffId,
    size: data.length,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    opens: 0,
    open: async () => {
      layer.opens++;
      return Readable.from(chunks(data, chunkSize), { objectMode: false });
    },
  };
  return layer;
}

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** A layer whose content is produced by a generator each time it is opened (huge layers). */
export function generatedLayer(
  diffId: string,
  generate: () => Iterable<Buffer> | AsyncIterable<Buffer>,
): MemoryLayer {
  const layer: MemoryLayer = {
    digest: diffId,
    diffId,
    size: -1,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    opens: 0,
    open: async () => {
      layer.opens++;
      return Readable.from(generate(), { objectMode: false });
    },
  };
  return layer;
}

export function imageOf(layers: Layer[]): Image {
  const platform = { os: 'linux', architecture: 'amd64' };
  return {
    ref: 'test:image',
    digest: `sha256:${'0'.repeat(64)}`,
    configDigest: `sha256:${'0'.repeat(64)}`,
    repoDigests: [],
    platform,
    config: {
      platform,
      user: '',
      env: [],
      entrypoint: [],
      cmd: [],
      workingDir: '',
      exposedPorts: [],
      volumes: [],
      labels: {},
      history: [],
      diffIds: layers.map((l) => l.diffId),
    },
    layers,
    close: async () => {},
  };
}

function toBuffer(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

import { describe, expect, it } from 'vitest';
import { parseRpmHeader, RpmHeaderError } from './header.js';

/** A header blob from (tag, type, value) entries, laid out as rpm stores it. */
function blob(entries: [number, number, string[] | number[]][]): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let size = 0;
  for (const [tag, type, values] of entries) {
    let bytes: Buffer;
    if (type === 4) {
      while (size % 4 !== 0) {
        data.push(Buffer.alloc(1));
        size++;
      }
      bytes = Buffer.alloc(values.length * 4);
      for (const [i, v] of (values as number[]).entries()) bytes.writeInt32BE(v, i * 4);
    } else {
      bytes = Buffer.from((values as string[]).map((v) => `${v}\0`).join(''));
    }
    const entry = Buffer.alloc(16);
    entry.writeUInt32BE(tag, 0);
    entry.writeUInt32BE(type, 4);
    entry.writeUInt32BE(size, 8);
    entry.writeUInt32BE(values.length, 12);
    index.push(entry);
    data.push(bytes);
    size += bytes.length;
  }
  const intro = Buffer.alloc(8);
  intro.writeUInt32BE(entries.length, 0);
  intro.writeUInt32BE(size, 4);
  return Buffer.concat([intro, ...index, ...data]);
}

const BASIC: [number, number, string[] | number[]][] = [
  [1000, 6, ['zlib']],
  [1001, 6, ['1.2.11']],
  [1002, 6, ['40.el9']],
  [1003, 4, [1]],
  [1022, 6, ['x86_64']],
  [1044, 6, ['zlib-1.2.11-40.el9.src.rpm']],
  [1014, 6, ['zlib and Boost']],
  [1117, 8, ['libz.so.1', 'README']],
  [1118, 8, ['/usr/lib64/', '/usr/share/doc/zlib/']],
  [1116, 4, [0, 1]],
];

describe('parseRpmHeader', () => {
  it('reads the inventory tags and joins base names to their directories', () => {
    expect(parseRpmHeader(blob(BASIC))).toEqual({
      name: 'zlib',
      epoch: 1,
      version: '1.2.11',
      release: '40.el9',
      arch: 'x86_64',
      sourceRpm: 'zlib-1.2.11-40.el9.src.rpm',
      license: 'zlib and Boost',
      vendor: '',
      files: ['usr/lib64/libz.so.1', 'usr/share/doc/zlib/README'],
    });
  });

  it('reads legacy OLDFILENAMES lists', () => {
    const header = parseRpmHeader(
      blob([
        [1000, 6, ['old']],
        [1027, 8, ['/bin/old', '/etc/old.conf']],
      ]),
    );
    expect(header.files).toEqual(['bin/old', 'etc/old.conf']);
    expect(header.epoch).toBeUndefined();
  });

  it('rejects damaged headers with a reason instead of reading past the blob', () => {
    const good = blob(BASIC);
    const cases: [Buffer, RegExp][] = [
      [good.subarray(0, 4), /too short/],
      [good.subarray(0, good.length - 10), /needs \d+ bytes/],
      [Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), /claims/],
      [blob([[1001, 6, ['1.0']]]), /no Name/],
      [blob([[1000, 4, [7]]]), /not a string/],
      [
        blob([
          [1000, 6, ['x']],
          [1117, 8, ['a']],
          [1118, 8, ['/d/']],
          [1116, 4, [5]],
        ]),
        /out of range/,
      ],
    ];
    for (const [bytes, message] of cases) {
      expect(() => parseRpmHeader(bytes)).toThrow(RpmHeaderError);
      expect(() => parseRpmHeader(bytes)).toThrow(message);
    }
    const unterminated = Buffer.from(good);
    unterminated.fill(0x41, unterminated.length - 30);
    expect(() => parseRpmHeader(unterminated)).toThrow(/past the header data/);
  });
});

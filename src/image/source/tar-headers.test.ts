import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BLOCK, decodeHeader, END_OF_ARCHIVE, encodeHeader, paddingFor, parsePax } from './tar-headers.js';

function archive(...entries: [Parameters<typeof encodeHeader>[0], string?][]): Buffer {
  const parts: Buffer[] = [];
  for (const [spec, content = ''] of entries) {
    const body = Buffer.from(content);
    parts.push(encodeHeader({ ...spec, size: body.length }), body, Buffer.alloc(paddingFor(body.length)));
  }
  return Buffer.concat([...parts, END_OF_ARCHIVE]);
}

/** GNU tar's own reading of an archive: the reference our encoder must satisfy. */
function gnuList(tar: Buffer): string[] {
  return execFileSync('tar', ['--numeric-owner', '-tvf', '-'], { input: tar })
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => line.replace(/\s+\d{4}-\d\d-\d\d \d\d:\d\d/, '').replace(/\s+/g, ' '));
}

describe('tar headers', () => {
  it('encodes what GNU tar reads back: long and non-ASCII names, links, devices, big ids', () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}.txt`;
    const listing = gnuList(
      archive(
        [{ path: 'etc', type: 'dir', mode: 0o755 }],
        [{ path: 'etc/passwd', type: 'file', mode: 0o644 }, 'root:x:0:0\n'],
        [{ path: long, type: 'file', uid: 3_000_000, gid: 4_000_000 }, 'deep'],
        [{ path: 'opt/ünïcødé.txt', type: 'file' }, 'u'],
        [{ path: 'etc/evil', type: 'symlink', linkname: '../../../../etc/shadow' }],
        [{ path: 'opt/far', type: 'symlink', linkname: `/${'t'.repeat(150)}` }],
        [{ path: 'etc/passwd-', type: 'hardlink', linkname: 'etc/passwd' }],
        [{ path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }],
        [{ path: 'run/fifo', type: 'fifo' }],
        [{ path: 'bin/su', type: 'file', mode: 0o4755 }, '#!'],
      ),
    );
    expect(listing).toEqual([
      'drwxr-xr-x 0/0 0 etc/',
      '-rw-r--r-- 0/0 11 etc/passwd',
      `-rw-r--r-- 3000000/4000000 4 ${long}`,
      '-rw-r--r-- 0/0 1 opt/ünïcødé.txt',
      'lrwxrwxrwx 0/0 0 etc/evil -> ../../../../etc/shadow',
      `lrwxrwxrwx 0/0 0 opt/far -> /${'t'.repeat(150)}`,
      'hrw-r--r-- 0/0 0 etc/passwd- link to etc/passwd',
      'crw-rw-rw- 0/0 1,3 dev/null',
      'prw-r--r-- 0/0 0 run/fifo',
      '-rwsr-xr-x 0/0 2 bin/su',
    ]);
  });

  it('decodes what it encodes, with PAX records for what ustar cannot hold', () => {
    const encoded = encodeHeader({
      path: `${'x'.repeat(200)}/name`,
      type: 'file',
      size: 5,
      mtime: 1_700_000_000,
    });
    const pax = decodeHeader(encoded.subarray(0, BLOCK), 'test');
    expect(pax.typeflag).toBe('x');
    const records = parsePax(encoded.subarray(BLOCK, BLOCK + pax.size));
    expect(records.get('path')).toBe(`${'x'.repeat(200)}/name`);
    const header = decodeHeader(encoded.subarray(BLOCK + pax.size + paddingFor(pax.size)), 'test');
    expect(header).toMatchObject({ typeflag: '0', size: 5, mtime: 1_700_000_000, mode: 0o644 });
  });

  it('refuses a header whose checksum does not add up', () => {
    const block = encodeHeader({ path: 'a', type: 'file', size: 1 });
    block[0] = 0x62;
    expect(() => decodeHeader(block, 'at offset 0')).toThrow(
      /corrupt tar header at offset 0: checksum mismatch/,
    );
  });

  it('reads base-256 sizes that octal cannot hold', () => {
    const block = encodeHeader({ path: 'big', type: 'file', size: 0 });
    block.fill(0, 124, 136);
    block[124] = 0x80;
    block.writeUIntBE(10 * 1024 ** 3, 136 - 6, 6);
    block.write('        ', 148, 'latin1');
    let sum = 0;
    for (const byte of block) sum += byte;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(decodeHeader(block, 'test').size).toBe(10 * 1024 ** 3);
  });

  it('stops at malformed PAX records instead of reading past them', () => {
    expect(parsePax(Buffer.from('12 path=abc\n99 path=too long\n'))).toEqual(new Map([['path', 'abc']]));
    expect(parsePax(Buffer.from('garbage'))).toEqual(new Map());
  });
});

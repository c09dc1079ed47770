import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootfsTar, virtualMounts } from '../../src/image/source/dir/rootfs-tar.js';
import { listTarEntries } from './tar-entries.js';

const work = mkdtempSync(join(tmpdir(), 'cerana-test-rootfs-'));
const root = join(work, 'root');
const outside = join(work, 'outside');
const socket = createServer();

async function tarBytes(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of rootfsTar(root)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'must never be read');
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'empty'), '');
  writeFileSync(join(root, 'usr', 'bin', 'tool'), Buffer.alloc(3 * 1024 * 1024, 7));
  chmodSync(join(root, 'usr', 'bin', 'tool'), 0o4755);
  linkSync(join(root, 'usr', 'bin', 'tool'), join(root, 'usr', 'bin', 'tool-b'));
  linkSync(join(root, 'usr', 'bin', 'tool'), join(root, 'etc', 'tool-a'));
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync('../../../../etc/shadow', join(root, 'etc', 'evil'));
  writeFileSync(join(root, 'ünïcødé-名前'), 'u');
  const deep = join(root, 'd'.repeat(120), 'e'.repeat(120));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'f.txt'), 'deep');
  execFileSync('mkfifo', [join(root, 'fifo')]);
  execFileSync('mknod', [join(root, 'null'), 'c', '1', '3']);
  await new Promise<void>((resolve) => socket.listen(join(root, 'socket'), resolve));
});

afterAll(async () => {
  await new Promise((resolve) => socket.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('rootfsTar', () => {
  it('records every kind of entry in byte order, links as links, and skips sockets', async () => {
    const entries = await listTarEntries(rootfsTar(root));
    const summary = entries.map((e) => [e.path, e.type, e.size, e.linkname]);
    const deep = `${'d'.repeat(120)}/${'e'.repeat(120)}`;
    expect(summary).toEqual([
      [`${'d'.repeat(120)}`, 'dir', 0, ''],
      [deep, 'dir', 0, ''],
      [`${deep}/f.txt`, 'file', 4, ''],
      ['escape', 'symlink', 0, outside],
      ['etc', 'dir', 0, ''],
      ['etc/empty', 'file', 0, ''],
      ['etc/evil', 'symlink', 0, '../../../../etc/shadow'],
      ['etc/passwd', 'file', 26, ''],
      ['etc/tool-a', 'file', 3 * 1024 * 1024, ''],
      ['fifo', 'fifo', 0, ''],
      ['null', 'char', 0, ''],
      ['usr', 'dir', 0, ''],
      ['usr/bin', 'dir', 0, ''],
      ['usr/bin/tool', 'hardlink', 0, 'etc/tool-a'],
      ['usr/bin/tool-b', 'hardlink', 0, 'etc/tool-a'],
      ['ünïcødé-名前', 'file', 1, ''],
    ]);
    expect(entries.find((e) => e.path === 'etc/tool-a')?.mode).toBe(0o4755);
    expect(entries.some((e) => e.path.includes('secret'))).toBe(false);
  });

  it('is a tar GNU tar extracts to the same tree, and the same bytes every time', async () => {
    const bytes = await tarBytes();
    const copy = join(work, 'copy');
    mkdirSync(copy);
    execFileSync('tar', ['-xpf', '-', '-C', copy], { input: bytes });
    expect(readFileSync(join(copy, 'etc', 'passwd'), 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(
      readFileSync(join(copy, 'etc', 'tool-a')).equals(readFileSync(join(root, 'usr', 'bin', 'tool'))),
    ).toBe(true);
    const listing = execFileSync('tar', ['-tvf', '-'], { input: bytes }).toString();
    expect(listing).toMatch(/^crw-r--r-- 0\/0 +1,3 .* null$/m);
    const hash = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(hash(await tarBytes())).toBe(hash(bytes));
  });

  it('knows the pseudo file systems whose contents are not files', async () => {
    const mounts = await virtualMounts();
    expect(mounts.has('/proc')).toBe(true);
  });
});

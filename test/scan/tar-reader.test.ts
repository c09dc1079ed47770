import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { TarEvent, TarTokenizer } from '../../src/image/tar/tokenizer.js';
import type { TarHeader } from '../../src/image/types.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { entry, header, paxBody, tar } from './support/tar-writer.js';

interface Read {
  entries: (TarHeader & { body: string; sparse: boolean })[];
  warnings: string[];
}

/** Reads a whole archive pushed in chunks of `chunkSize`, asking for every body. */
function readAll(data: Buffer, chunkSize = 64 * 1024): Read {
  const warnings: string[] = [];
  const t = new TarTokenizer({ label: 'test', onWarning: (w) => warnings.push(w) });
  const entries: Read['entries'] = [];
  let body: Buffer[] = [];
  for (let i = 0; i < data.length || i === 0; i += chunkSize) {
    t.push(data.subarray(i, i + chunkSize));
    for (;;) {
      const event = t.next();
      if (event === TarEvent.NeedMore) break;
      if (event === TarEvent.Entry) {
        entries.push({ ...t.header, body: '', sparse: t.sparse });
        body = [];
        t.wantBody();
      } else if (event === TarEvent.Data) {
        body.push(Buffer.from(t.data));
      } else {
        const last = entries[entries.length - 1];
        if (last) last.body = Buffer.concat(body).toString('utf8');
      }
    }
    if (data.length === 0) break;
  }
  t.finish();
  return { entries, warnings };
}

function paths(data: Buffer): string[] {
  return readAll(data).entries.map((e) => e.path);
}

describe('tar tokenizer', () => {
  const basic = tar([
    { name: './', type: '5', mode: 0o755 },
    { name: './usr/', type: '5', mode: 0o755 },
    { name: './usr/bin/tool', body: 'binary', mode: 0o4755, uid: 1000, gid: 50 },
    { name: 'etc/link', type: '2', linkname: '../usr/bin/tool' },
    { name: '/etc/hard', type: '1', linkname: './usr/bin/tool' },
    { name: 'dev/null', type: '3' },
    { name: 'run/fifo', type: '6' },
    { name: 'empty', body: '' },
  ]);

  it('reads ustar entries with normalized paths, types, modes and owners', () => {
    const { entries, warnings } = readAll(basic);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.path, e.type, e.size, e.linkname])).toEqual([
      ['usr', 'dir', 0, ''],
      ['usr/bin/tool', 'file', 6, ''],
      ['etc/link', 'symlink', 0, '../usr/bin/tool'],
      ['etc/hard', 'hardlink', 0, 'usr/bin/tool'],
      ['dev/null', 'char', 0, ''],
      ['run/fifo', 'fifo', 0, ''],
      ['empty', 'file', 0, ''],
    ]);
    const tool = entries[1];
    expect(tool).toMatchObject({ mode: 0o4755, uid: 1000, gid: 50, mtime: 1_700_000_000, body: 'binary' });
  });

  it('gives the same result whatever the chunk boundaries', () => {
    const big = 'x'.repeat(1500);
    const data = tar([
      { name: 'a', body: big },
      { name: 'b', pax: { path: `${'pax/long/'.repeat(20)}name` }, body: 'pb' },
      { name: 'c', longName: `${'gnu/'.repeat(40)}name`, body: 'gb' },
      { name: 'd', body: 'd' },
    ]);
    const reference = readAll(data, data.length);
    expect(reference.entries).toHaveLength(4);
    for (const size of [1, 7, 100, 511, 512, 513, 1024, 4099]) {
      expect(readAll(data, size)).toEqual(reference);
    }
  });

  it('joins the ustar prefix field to the name', () => {
    const data = tar([{ name: 'file.txt', prefix: 'very/deep/directory', body: 'p' }]);
    expect(paths(data)).toEqual(['very/deep/directory/file.txt']);
  });

  it('applies GNU long names and long link names', () => {
    const longName = `${'directory-'.repeat(30)}/file`;
    const longLink = `${'target-'.repeat(30)}/file`;
    const data = tar([
      { name: 'short', longName, body: 'long' },
      { name: 'lnk', type: '2', longName: `${longName}.lnk`, longLink },
    ]);
    const { entries } = readAll(data);
    expect(entries.map((e) => [e.path, e.linkname, e.body])).toEqual([
      [longName, '', 'long'],
      [`${longName}.lnk`, longLink, ''],
    ]);
  });

  it('applies PAX records: path, linkpath, size, ids, fractional mtime', () => {
    const body = 'y'.repeat(700);
    const data = Buffer.concat([
      entry({
        name: 'ignored',
        pax: { path: 'ünïcode/päth', uid: '4294967294', gid: '70000', mtime: '1700000000.5', size: '700' },
        size: 0,
        body: '',
      }).subarray(0, 1024 + 512), // PAX header + its body block + the entry header (size 0 field)
      Buffer.from(body),
      Buffer.alloc(512 - (700 % 512)),
      entry({ name: 'lnk', type: '2', pax: { linkpath: '/abs/target' } }),
      Buffer.alloc(1024),
    ]);
    const { entries } = readAll(data);
    expect(entries.map((e) => [e.path, e.size, e.uid, e.gid, e.mtime, e.linkname])).toEqual([
      ['ünïcode/päth', 700, 4294967294, 70000, 1700000000.5, ''],
      ['lnk', 0, 0, 0, 1_700_000_000, '/abs/target'],
    ]);
    expect(entries[0]?.body).toBe(body);
  });

  it('applies global PAX records to later entries, except per-file keys', () => {
    const global = entry({ name: 'global', type: 'g', body: paxBody({ uid: '4242', path: 'nowhere' }) });
    const data = Buffer.concat([global, entry({ name: 'one' }), entry({ name: 'two' }), Buffer.alloc(1024)]);
    expect(readAll(data).entries.map((e) => [e.path, e.uid])).toEqual([
      ['one', 4242],
      ['two', 4242],
    ]);
  });

  it('reads base-256 size fields', () => {
    const data = tar([{ name: 'b256', body: 'z'.repeat(600), base256: true }, { name: 'after' }]);
    const { entries } = readAll(data);
    expect(entries.map((e) => [e.path, e.size])).toEqual([
      ['b256', 600],
      ['after', 0],
    ]);
  });

  it('never reads a body for links, devices, directories and fifos, whatever their size field says', () => {
    // An archive claiming a 512-byte body for a symlink: honoring it would swallow the next header.
    const data = Buffer.concat([
      header({ name: 'sym', type: '2', linkname: 'x', size: 512 }),
      header({ name: 'dir/', type: '5', size: 1024 }),
      entry({ name: 'visible', body: 'v' }),
      Buffer.alloc(1024),
    ]);
    expect(paths(data)).toEqual(['sym', 'dir', 'visible']);
  });

  it('rejects entries that escape the root with a warning, keeps the rest', () => {
    const data = tar([
      { name: '../evil', body: 'e' },
      { name: '/../abs-evil', body: 'e' },
      { name: 'a/../../b', body: 'e' },
      { name: 'a/../b', body: 'fine' },
      { name: '/etc/passwd', body: 'root' },
      { name: 'x', type: '1', linkname: '../../etc/shadow' },
      { name: 'after', body: 'ok' },
    ]);
    const { entries, warnings } = readAll(data);
    expect(entries.map((e) => [e.path, e.body])).toEqual([
      ['b', 'fine'],
      ['etc/passwd', 'root'],
      ['after', 'ok'],
    ]);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/"\.\.\/evil" escapes the image root/);
    expect(warnings[3]).toMatch(/hard link "x" -> "\.\.\/\.\.\/etc\/shadow" points outside/);
  });

  it('skips unknown entry types by their size and keeps reading', () => {
    const data = tar([
      { name: 'vendor', type: 'Z', body: 'q'.repeat(900) },
      { name: 'next', body: 'n' },
    ]);
    const { entries } = readAll(data);
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['vendor', 'other'],
      ['next', 'file'],
    ]);
  });

  it('reports a header checksum mismatch as an input error', () => {
    const data = tar([
      { name: 'ok', body: 'x' },
      { name: 'bad', badChecksum: true },
    ]);
    expect(() => readAll(data)).toThrow(/corrupt tar archive: header checksum mismatch at byte 1024/);
    try {
      readAll(data);
    } catch (error) {
      expect(error).toBeInstanceOf(CeranaError);
      expect((error as CeranaError).code).toBe('INPUT');
    }
  });

  it('reports truncation inside a body or header, tolerates a missing end marker', () => {
    const data = tar([{ name: 'file', body: 'f'.repeat(2000) }]);
    expect(() => readAll(data.subarray(0, 1500))).toThrow(
      /truncated \(input ended at byte 1500 inside the body of "file"\)/,
    );
    expect(() => readAll(data.subarray(0, 2560 + 100))).toThrow(/truncated/);
    const noMarker = readAll(tar([{ name: 'file', body: 'f' }], { end: false }));
    expect(noMarker.entries).toHaveLength(1);
    expect(noMarker.warnings).toEqual(['test: archive ends without an end-of-archive marker']);
    // A PAX header with no entry after it is truncation too.
    expect(() => readAll(entry({ name: 'x', pax: { path: 'p' } }).subarray(0, 1024))).toThrow(/truncated/);
  });

  it('refuses data after a single zero block, ignores padding after two', () => {
    const one = Buffer.concat([entry({ name: 'a' }), Buffer.alloc(512), entry({ name: 'hidden' })]);
    expect(() => readAll(one)).toThrow(/zero block is followed by data/);
    const two = Buffer.concat([tar([{ name: 'a' }]), Buffer.from('garbage after the end marker')]);
    expect(paths(two)).toEqual(['a']);
  });

  it('bounds extension header bodies', () => {
    const t = new TarTokenizer({ label: 'test', maxExtensionBytes: 100 });
    t.push(entry({ name: 'x', pax: { path: 'p'.repeat(200) } }));
    expect(() => t.next()).toThrow(/extension header of \d+ bytes .* exceeds the 100-byte limit/);
  });
});

describe('tar tokenizer against archives written by GNU tar and Python', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-tar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const itTar = requireIntegration('GNU tar', commandWorks('tar', ['--version']));
  const itPython = requireIntegration('python3', commandWorks('python3', ['--version']));

  itTar('skips GNU sparse files (old GNU and PAX formats) without losing the entries after them', () => {
    const root = join(dir, 'sparse-root');
    execFileSync('mkdir', ['-p', root]);
    const sparse = join(root, 'holes.img');
    writeFileSync(sparse, '');
    // Many data islands, so old-GNU needs extension blocks for its sparse map.
    for (let i = 0; i < 30; i++) {
      execFileSync(
        'dd',
        ['if=/dev/urandom', `of=${sparse}`, 'bs=4096', 'count=1', `seek=${i * 64}`, 'conv=notrunc'],
        {
          stdio: 'ignore',
        },
      );
    }
    truncateSync(sparse, 30 * 64 * 4096 + 8192);
    writeFileSync(join(root, 'zz-after.txt'), 'after the sparse file');
    for (const format of [
      ['--format=gnu'],
      ['--format=pax', '--sparse-version=1.0'],
      ['--format=pax', '--sparse-version=0.1'],
    ]) {
      const archive = join(dir, 'sparse.tar');
      execFileSync('tar', ['-C', root, '--sparse', ...format, '-cf', archive, 'holes.img', 'zz-after.txt']);
      const { entries, warnings } = readAll(readFileSync(archive));
      expect(entries.map((e) => [e.path, e.type, e.sparse])).toEqual([
        ['holes.img', 'file', true],
        ['zz-after.txt', 'file', false],
      ]);
      expect(entries[0]?.size).toBe(30 * 64 * 4096 + 8192);
      expect(entries[1]?.body).toBe('after the sparse file');
      expect(warnings[0]).toMatch(/holes.img: sparse file, content not analyzed/);
    }
  });

  itPython('lists the same entries as Python tarfile for every format Python writes', () => {
    const script = `
import io, json, sys, tarfile
out = {}
for fmt_name, fmt in (('ustar', tarfile.USTAR_FORMAT), ('gnu', tarfile.GNU_FORMAT), ('pax', tarfile.PAX_FORMAT)):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=fmt) as t:
        def add(name, data=b'', type=tarfile.REGTYPE, link='', uid=0):
            info = tarfile.TarInfo(name); info.type = type; info.linkname = link; info.size = len(data)
            info.uid = uid; info.mode = 0o640; info.mtime = 1600000000
            t.addfile(info, io.BytesIO(data) if data else None)
        add('dir', type=tarfile.DIRTYPE)
        add('dir/' + 'n' * 90 + '/' + 'm' * 60 + '.txt', b'long path data')  # needs prefix/extension
        add('dir/file', b'hello')
        add('dir/sym', type=tarfile.SYMTYPE, link='/' + 't' * 120 if fmt != tarfile.USTAR_FORMAT else 'file')
        add('dir/hard', type=tarfile.LNKTYPE, link='dir/file')
        add('big-uid', b'x' * 1000, uid=3000000 if fmt != tarfile.USTAR_FORMAT else 7)
    data = buf.getvalue()
    buf.seek(0)
    with tarfile.open(fileobj=buf) as t:
        listing = [[m.name, m.size if m.isfile() else 0, m.uid, m.linkname] for m in t.getmembers()]
    out[fmt_name] = {'tar': data.hex(), 'listing': listing}
print(json.dumps(out))
`;
    const result = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })) as Record<
      string,
      { tar: string; listing: [string, number, number, string][] }
    >;
    for (const [format, { tar: hex, listing }] of Object.entries(result)) {
      const { entries } = readAll(Buffer.from(hex, 'hex'), 333);
      expect(
        entries.map((e) => [e.path, e.size, e.uid, e.linkname]),
        format,
      ).toEqual(listing);
    }
  });
});

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exeFacts, resolveInRoot } from './exe.js';

describe('executables inside a container root', () => {
  let root: string;
  let upper: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cerana-test-exe-'));
    upper = join(root, '.upper');
    for (const d of ['usr/bin', 'tmp', '.upper/tmp', 'loop']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'usr/bin/dash'), '');
    symlinkSync('usr/bin', join(root, 'bin'));
    symlinkSync('dash', join(root, 'usr/bin/sh'));
    // An absolute link must stay inside the root, not reach the host's /etc.
    symlinkSync('/usr/bin/dash', join(root, 'tmp/abs'));
    symlinkSync('../loop/b', join(root, 'loop/a'));
    symlinkSync('../loop/a', join(root, 'loop/b'));
    writeFileSync(join(root, 'tmp/dropped'), '');
    writeFileSync(join(upper, 'tmp/dropped'), '');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resolve links as if the root were /', () => {
    expect(resolveInRoot(root, '/bin/sh')).toBe('/usr/bin/dash');
    expect(resolveInRoot(root, '/tmp/abs')).toBe('/usr/bin/dash');
    expect(resolveInRoot(root, '/usr/bin/../../tmp/./dropped')).toBe('/tmp/dropped');
    // `..` after a link climbs from where the link points, as the kernel does.
    expect(resolveInRoot(root, '/bin/../bin/dash')).toBe('/usr/bin/dash');
    expect(resolveInRoot(root, '/bin/../tmp')).toBe('/usr/tmp');
    expect(resolveInRoot(root, '/nope/x')).toBe('/nope/x');
    expect(resolveInRoot(root, '/loop/a')).toMatch(/^\/loop\//);
  });

  it('name the interpreter of a script, tell upper from lower layer, and spot memfds', () => {
    const base = { cwd: '/', rootDir: root, upperDir: upper, nlink: 1 };
    expect(exeFacts({ ...base, filename: '/bin/sh', exeName: 'dash' })).toMatchObject({
      exePath: '/usr/bin/dash',
      upperLayer: false,
      fromMemfd: false,
    });
    const dropped = exeFacts({ ...base, filename: './dropped', cwd: '/tmp', exeName: 'dropped' });
    expect(dropped).toMatchObject({ exePath: '/tmp/dropped', upperLayer: true });
    expect(typeof dropped.mtime).toBe('bigint');
    expect(exeFacts({ ...base, filename: '/tmp/script.sh', exeName: 'dash', argv0: '/bin/sh' }).exePath).toBe(
      '/usr/bin/dash',
    );
    expect(exeFacts({ ...base, filename: '/dev/fd/3', exeName: 'memfd:payload', nlink: 0 })).toEqual({
      exePath: 'memfd:payload',
      fromMemfd: true,
    });
    // A file merely named like a memfd is not one.
    expect(exeFacts({ ...base, filename: '/tmp/memfd:x', exeName: 'memfd:x' }).fromMemfd).toBe(false);
  });
});

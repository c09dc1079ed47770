import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLocation, splitLocation } from './location.js';

const root = mkdtempSync(join(tmpdir(), 'cerana-test-location-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const digest = `sha256:${'a'.repeat(64)}`;

describe('splitLocation', () => {
  writeFileSync(join(root, 'img.tar'), '');
  writeFileSync(join(root, 'odd:name.tar'), '');
  mkdirSync(join(root, 'layout'));

  it('splits a path from the name after it, at the first colon whose left side exists', async () => {
    const tar = join(root, 'img.tar');
    expect(await splitLocation(tar, 'file', 'x')).toEqual({ path: tar });
    expect(await splitLocation(`${tar}:app:1`, 'file', 'x')).toEqual({ path: tar, name: 'app:1' });
    expect(await splitLocation(`${tar}:localhost:5000/app:1`, 'file', 'x')).toEqual({
      path: tar,
      name: 'localhost:5000/app:1',
    });
    expect(await splitLocation(join(root, 'odd:name.tar'), 'file', 'x')).toEqual({
      path: join(root, 'odd:name.tar'),
    });
  });

  it('takes @digest for a directory and wants the right kind of path', async () => {
    const layout = join(root, 'layout');
    expect(await splitLocation(`${layout}@${digest}`, 'dir', 'oci')).toEqual({ path: layout, digest });
    await expect(splitLocation(join(root, 'img.tar'), 'dir', 'oci')).rejects.toThrow(
      /oci: no such directory/,
    );
    await expect(splitLocation(join(root, 'missing.tar:tag'), 'file', 'x')).rejects.toThrow(/no such file/);
    await expect(splitLocation('', 'file', 'x')).rejects.toThrow(/needs a path/);
  });

  it('formats the location back into a reference', () => {
    expect(formatLocation('oci', { path: '/l', digest })).toBe(`oci:/l@${digest}`);
    expect(formatLocation('oci', { path: '/l', name: 'v1' })).toBe('oci:/l:v1');
    expect(formatLocation('docker-archive', { path: '/a.tar' })).toBe('docker-archive:/a.tar');
  });
});

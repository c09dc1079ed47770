import { describe, expect, it } from 'vitest';
import { isJavaArchive } from './archive.js';

describe('isJavaArchive', () => {
  it.each([
    'usr/share/java/guava.jar',
    'srv/app.WAR',
    'x.ear',
    'a/b.Par',
    'plugins/git.hpi',
    'plugins/x.JPI',
    'lib.sar',
    '.jar',
  ])('%s is one', (path) => {
    expect(isJavaArchive(path)).toBe(true);
  });

  it.each([
    'com/example/Main.class',
    'usr/bin/jar',
    'notes.tar',
    'x.bar',
    'x.jar.sha1',
    'x.jarr',
    'jar',
    'ar',
    '',
    'META-INF/MANIFEST.MF',
    'x.pi',
    'dir.jar/file',
  ])('%s is not', (path) => {
    expect(isJavaArchive(path)).toBe(false);
  });
});

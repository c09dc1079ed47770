import { describe, expect, it } from 'vitest';
import { compileGlob } from './glob.js';
import { compilePathPrefixes } from './pmatch.js';

describe('glob', () => {
  it('follows fnmatch without FNM_PATHNAME: * crosses slashes', () => {
    const g = compileGlob('/home/*/.ssh/*');
    expect(g('/home/alice/.ssh/id_rsa')).toBe(true);
    expect(g('/home/a/b/.ssh/x')).toBe(true);
    expect(g('/root/.ssh/id_rsa')).toBe(false);
  });

  it('supports ?, sets, negated sets, ranges and escapes', () => {
    expect(compileGlob('file?.txt')('file1.txt')).toBe(true);
    expect(compileGlob('file?.txt')('file10.txt')).toBe(false);
    expect(compileGlob('[a-c]x')('bx')).toBe(true);
    expect(compileGlob('[!a-c]x')('bx')).toBe(false);
    expect(compileGlob('[]]x')(']x')).toBe(true);
    expect(compileGlob('\\*x')('*x')).toBe(true);
    expect(compileGlob('\\*x')('ax')).toBe(false);
    expect(compileGlob('[abc')('[abc')).toBe(true);
    expect(compileGlob('*../*../*')('/var/www/../../etc/passwd')).toBe(true);
  });

  it('is case-insensitive for iglob only', () => {
    expect(compileGlob('*.EXE')('setup.exe')).toBe(false);
    expect(compileGlob('*.EXE', true)('setup.exe')).toBe(true);
  });

  it('stays fast on pathological patterns', () => {
    const g = compileGlob(`${'*a'.repeat(30)}b`);
    const start = performance.now();
    expect(g('a'.repeat(5000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('pmatch', () => {
  const m = compilePathPrefixes(['/var/run', '/etc/', '/opt/*/bin', '/srv/*.d']);

  it('matches whole path components', () => {
    expect(m('/var/run')).toBe(true);
    expect(m('/var/run/docker.sock')).toBe(true);
    expect(m('/var/runner')).toBe(false);
    expect(m('/etc/passwd')).toBe(true);
    expect(m('/etcd/x')).toBe(false);
  });

  it('matches glob components', () => {
    expect(m('/opt/app/bin/tool')).toBe(true);
    expect(m('/opt/app/lib/tool')).toBe(false);
    expect(m('/srv/conf.d/a')).toBe(true);
    expect(m('/srv/conf/a')).toBe(false);
  });

  it('stays linear with many overlapping globs', () => {
    const prefixes = Array.from({ length: 40 }, (_, i) => `${'/*'.repeat(20)}/x${i}`);
    const deep = compilePathPrefixes(prefixes);
    const start = performance.now();
    expect(deep('/a'.repeat(25))).toBe(false);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

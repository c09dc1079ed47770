import { describe, expect, it } from 'vitest';
import { PerFile } from './per-file.js';

function counted(): { perFile: PerFile<number>; calls: string[] } {
  const calls: string[] = [];
  const perFile = new PerFile((data, path, warnings) => {
    calls.push(path);
    warnings.push(`${path}: read`);
    return data.length;
  });
  return { perFile, calls };
}

describe('PerFile', () => {
  it('gives the same value and warnings whether the file was prepared or not', () => {
    const data = Buffer.from('four');
    const fresh = counted();
    const freshWarnings: string[] = [];
    expect(fresh.perFile.read(data, 'a/file', freshWarnings)).toBe(4);

    const ahead = counted();
    ahead.perFile.prepare('a/file', data);
    expect(ahead.calls).toEqual(['a/file']);
    const aheadWarnings: string[] = ['earlier'];
    expect(ahead.perFile.read(data, 'a/file', aheadWarnings)).toBe(4);
    expect(ahead.calls).toEqual(['a/file']);
    expect(aheadWarnings).toEqual(['earlier', ...freshWarnings]);
  });

  it('computes each file once, apart for other bytes or another path', () => {
    const { perFile, calls } = counted();
    const data = Buffer.from('four');
    perFile.prepare('a/file', data);
    perFile.prepare('a/file', data);
    const warnings: string[] = [];
    perFile.read(data, 'a/file', warnings);
    perFile.read(Buffer.from('four'), 'a/file', warnings);
    // The same bytes reached through a link: the warnings must name that path.
    perFile.read(data, 'b/link', warnings);
    expect(calls).toEqual(['a/file', 'a/file', 'b/link']);
    expect(warnings).toEqual(['a/file: read', 'a/file: read', 'b/link: read']);
  });
});

import { describe, expect, it } from 'vitest';
import { ESCAPES_ROOT, normalizeEntryPath } from './path.js';

describe('normalizeEntryPath', () => {
  it.each([
    ['usr/bin/env', 'usr/bin/env'],
    ['usr/bin/', 'usr/bin'],
    ['/usr/bin/', 'usr/bin'],
    ['./usr//lib/./x/', 'usr/lib/x'],
    ['a/b/../c', 'a/c'],
    ['a/..', ''],
    ['/', ''],
    ['./', ''],
    ['.', ''],
    ['.hidden/..dots/x', '.hidden/..dots/x'],
  ])('%j -> %j', (raw, normalized) => {
    expect(normalizeEntryPath(raw)).toBe(normalized);
  });

  it.each(['..', '../etc/passwd', 'a/../../b', '/../x', 'a/b/../../../'])('%j escapes the root', (raw) => {
    expect(normalizeEntryPath(raw)).toBe(ESCAPES_ROOT);
  });
});

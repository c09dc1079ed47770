import { describe, expect, it } from 'vitest';
import { basename, normalize, resolvePath } from './paths.js';

describe('paths', () => {
  it('fold . and .. lexically, never above the root', () => {
    expect(normalize('/etc/../etc/./shadow')).toBe('/etc/shadow');
    expect(normalize('//usr///bin/')).toBe('/usr/bin');
    expect(normalize('/../../x')).toBe('/x');
    expect(normalize('a/../../b')).toBe('../b');
    expect(normalize('')).toBe('.');
  });

  it('resolve relative paths against a base (cwd or a directory fd)', () => {
    expect(resolvePath('/tmp', 'x')).toBe('/tmp/x');
    expect(resolvePath('/tmp/a', '../../etc/passwd')).toBe('/etc/passwd');
    expect(resolvePath('/tmp', '/abs')).toBe('/abs');
    expect(resolvePath(undefined, 'rel/./x')).toBe('rel/x');
  });

  it('take base names', () => {
    expect(basename('/usr/bin/dash')).toBe('dash');
    expect(basename('/usr/bin/')).toBe('bin');
    expect(basename('dash')).toBe('dash');
  });
});

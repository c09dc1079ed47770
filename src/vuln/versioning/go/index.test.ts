import { describe, expect, it } from 'vitest';
import { go } from './index.js';

describe('go versions', () => {
  it.each([
    // Pseudo-versions sort as the pre-releases they are.
    ['v0.0.0-20191109021931-daa7c04131f5', 'v0.0.0-20200101000000-0123456789ab', -1],
    ['v0.0.0-20191109021931-daa7c04131f5', 'v0.1.0', -1],
    ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.3', 1],
    ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4', -1],
    ['v1.2.3-pre.0.20191109021931-daa7c04131f5', 'v1.2.3-pre', 1],
    // +incompatible is build metadata.
    ['v2.0.0+incompatible', 'v2.0.0', 0],
    ['v1', 'v1.0.0', 0],
    ['v1.2', '1.2.0', 0],
    // Toolchains.
    ['go1.19.8', 'go1.19.10', -1],
    ['go1.20', '1.20.0', 0],
    ['go1.21rc2', 'go1.21.0', -1],
    ['1.21rc2', 'go1.21rc10', -1],
    ['go1.9beta1', 'go1.9rc1', -1],
    ['go1.21rc2', '1.21.0-rc.2', 0],
    ['go1', 'v1.0.0', 0],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(go.compare(a, b)).toBe(expected);
    expect(go.compare(b, a)).toBe(-expected || 0);
  });

  it('says which reading it used', () => {
    expect(go.describe('go1.21rc2')).toBe('toolchain version 1.21.0, pre-release [rc, 2]');
    expect(go.describe('v2.0.0+incompatible')).toBe(
      'module version 2.0.0, release, build incompatible (ignored)',
    );
  });

  it.each([
    '',
    'v',
    'v01.2.3',
    'v1.2-pre',
    'v1.2.3.4',
    'go1.21-rc2',
    'v1.21rc2',
    'go',
    'latest',
    'v1.2.3-01',
  ])('rejects %j', (v) => {
    expect(go.valid(v)).toBe(false);
  });
});

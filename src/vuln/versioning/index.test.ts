import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import {
  explainCompare,
  formatExplanation,
  getScheme,
  schemeForEcosystem,
  schemeNames,
  supportedEcosystems,
} from './index.js';

describe('version scheme registry', () => {
  it('lists every scheme once', () => {
    expect(schemeNames).toEqual([
      'apk',
      'cargo',
      'composer',
      'dpkg',
      'go',
      'maven',
      'nuget',
      'pep440',
      'rpm',
      'rubygems',
      'semver',
    ]);
    for (const name of schemeNames) expect(getScheme(name).name).toBe(name);
  });

  it.each([
    ['Debian:12', 'dpkg'],
    ['Ubuntu:22.04:LTS', 'dpkg'],
    ['Alpine:v3.19', 'apk'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['Rocky Linux:9', 'rpm'],
    ['AlmaLinux:8', 'rpm'],
    ['npm', 'semver'],
    ['PyPI', 'pep440'],
    ['Maven', 'maven'],
    ['Go', 'go'],
    ['RubyGems', 'rubygems'],
    ['NuGet', 'nuget'],
    ['Packagist', 'composer'],
    ['crates.io', 'cargo'],
  ])('maps the OSV ecosystem %s to %s', (ecosystem, scheme) => {
    expect(schemeForEcosystem(ecosystem)?.name).toBe(scheme);
  });

  it('knows no scheme for ecosystems it does not support', () => {
    expect(schemeForEcosystem('Hackage')).toBeUndefined();
    expect(schemeForEcosystem('constructor')).toBeUndefined();
    expect(supportedEcosystems).toContain('Debian');
  });

  it('finds schemes by ecosystem too, ignoring case', () => {
    expect(getScheme('debian:12').name).toBe('dpkg');
    expect(getScheme(' PEP440 ').name).toBe('pep440');
  });

  it('rejects an unknown scheme with the list of known ones', () => {
    expect(() => getScheme('cobol')).toThrow(CeranaError);
    try {
      getScheme('cobol');
    } catch (error) {
      expect((error as CeranaError).code).toBe('USAGE');
      expect((error as CeranaError).hint).toContain('dpkg');
    }
  });
});

describe('explainCompare', () => {
  it('answers with a symbol and how each side was read', () => {
    const explanation = explainCompare('dpkg', '1:2.0~rc1-1', '1:2.0-1');
    expect(explanation).toEqual({
      scheme: 'dpkg',
      result: -1,
      symbol: '<',
      a: { version: '1:2.0~rc1-1', reading: 'epoch 1, upstream "2.0~rc1", revision "1"' },
      b: { version: '1:2.0-1', reading: 'epoch 1, upstream "2.0", revision "1"' },
    });
    expect(formatExplanation(explanation)[0]).toBe('1:2.0~rc1-1 < 1:2.0-1 (dpkg)');
  });

  it.each([
    ['pep440', '1.0.post1', '1.0', '>'],
    ['PyPI', '1.0', '1.0.0', '='],
    ['maven', '1.0-SNAPSHOT', '1.0', '<'],
    ['go', 'go1.21rc2', 'go1.21.0', '<'],
  ])('%s: %s vs %s is %s', (scheme, a, b, symbol) => {
    expect(explainCompare(scheme, a, b).symbol).toBe(symbol);
  });

  it('rejects a version the scheme does not accept', () => {
    expect(() => explainCompare('semver', '1.0', '1.0.0')).toThrow(/not a valid semver version/);
  });
});

describe('hostile input', () => {
  // Each of these made a backtracking regex explode or would build a huge error line.
  const inputs = [
    `1.0-beta${'1'.repeat(200)}x`,
    `1.0${'.-'.repeat(200)}x`,
    `${'1'.repeat(100_000)}`,
    `${'a.'.repeat(50_000)}`,
    '\u0000\u0001',
  ];

  it.each(schemeNames.map((name) => [name]))('%s rejects it with a short message', (name) => {
    const scheme = getScheme(name);
    for (const input of inputs) {
      if (scheme.valid(input)) continue;
      expect(() => scheme.compare(input, input)).toThrow(CeranaError);
      try {
        scheme.compare(input, input);
      } catch (error) {
        expect((error as CeranaError).message.length).toBeLessThan(200);
      }
    }
    expect(scheme.valid('1'.repeat(100_000))).toBe(false);
  });
});

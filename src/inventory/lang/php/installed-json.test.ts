import { describe, expect, it } from 'vitest';
import { parseInstalledJson } from './installed-json.js';

describe('composer installed.json', () => {
  it('reads Composer 1 lists and Composer 2 objects', () => {
    const v1 = [
      { name: 'monolog/monolog', version: '1.25.1', version_normalized: '1.25.1.0', license: ['MIT'] },
      { name: 'psr/log', version: '1.1.0', license: 'MIT' },
    ];
    const v2 = {
      packages: [
        { name: 'symfony/console', version: 'v5.4.0', license: ['MIT'] },
        { name: 'phpunit/phpunit', version: '9.5.0', license: ['BSD-3-Clause'] },
      ],
      dev: true,
      'dev-package-names': ['phpunit/phpunit'],
    };
    expect(parseInstalledJson(v1, 'f', [])).toEqual([
      { name: 'monolog/monolog', version: '1.25.1', licenses: ['MIT'] },
      { name: 'psr/log', version: '1.1.0', licenses: ['MIT'] },
    ]);
    expect(parseInstalledJson(v2, 'f', []).map((p) => `${p.name}@${p.version}`)).toEqual([
      'symfony/console@v5.4.0',
      'phpunit/phpunit@9.5.0',
    ]);
  });

  it('warns about unusable entries and documents, linearly on hostile names', () => {
    const warnings: string[] = [];
    const hostile = `${'a'.repeat(250)}!`;
    expect(
      parseInstalledJson(
        [{ name: 'no-vendor', version: '1' }, { name: 'a/b' }, { name: `${hostile}/x`, version: '1' }, 7],
        'installed.json',
        warnings,
      ),
    ).toEqual([]);
    expect(parseInstalledJson({ packages: 'x' }, 'installed.json', warnings)).toEqual([]);
    expect(warnings).toEqual([
      'installed.json: skipped 4 entries without a usable name and version',
      'installed.json: not a Composer installed.json (expected a list or { "packages": [...] })',
    ]);
  });
});

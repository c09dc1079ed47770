import { describe, expect, it } from 'vitest';
import { npmLicenses, readInstalledManifest } from './manifest.js';
import { parsePackageLock } from './package-lock.js';

const summary = (doc: unknown, warnings: string[] = []) =>
  parsePackageLock(doc, 'package-lock.json', warnings).map((p) => [p.name, p.version, p.installPath, p.dev]);

describe('package.json of installed packages', () => {
  it('reads name, version and every license form', () => {
    expect(readInstalledManifest({ name: '@s/a', version: '1.0.0', license: 'MIT' })).toEqual({
      name: '@s/a',
      version: '1.0.0',
      licenses: ['MIT'],
    });
    expect(npmLicenses({ license: { type: 'BSD-3-Clause', url: 'x' } })).toEqual(['BSD-3-Clause']);
    expect(npmLicenses({ licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }, 'MIT'] })).toEqual([
      'MIT',
      'Apache-2.0',
    ]);
    expect(npmLicenses({ license: 42, licenses: 'ISC' })).toEqual(['ISC']);
  });

  it('is no package without a usable name and version', () => {
    expect(readInstalledManifest({ type: 'module' })).toBeUndefined();
    expect(readInstalledManifest({ name: 'a', version: 1 })).toBeUndefined();
    expect(readInstalledManifest({ name: 'a b', version: '1.0.0' })).toBeUndefined();
    expect(readInstalledManifest({ name: 'x'.repeat(215), version: '1.0.0' })).toBeUndefined();
    expect(readInstalledManifest(['a'])).toBeUndefined();
    expect(readInstalledManifest(null)).toBeUndefined();
  });
});

describe('package-lock.json', () => {
  it('v1: walks nested dependencies, resolves aliases, skips non-registry sources', () => {
    const doc = {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 1,
      dependencies: {
        express: {
          version: '4.17.1',
          dependencies: { debug: { version: '2.6.9', dependencies: { ms: { version: '2.0.0' } } } },
        },
        jest: { version: '26.0.0', dev: true },
        aliased: { version: 'npm:lodash@4.17.11' },
        'my-lib': { version: 'file:../my-lib' },
        'from-git': { version: 'github:user/repo#abcdef' },
        broken: { version: 7 },
      },
    };
    const warnings: string[] = [];
    expect(summary(doc, warnings).sort()).toEqual(
      [
        ['express', '4.17.1', 'node_modules/express', false],
        ['debug', '2.6.9', 'node_modules/express/node_modules/debug', false],
        ['ms', '2.0.0', 'node_modules/express/node_modules/debug/node_modules/ms', false],
        ['jest', '26.0.0', 'node_modules/jest', true],
        ['lodash', '4.17.11', 'node_modules/aliased', false],
      ].sort(),
    );
    expect(warnings).toEqual(['package-lock.json: skipped 1 dependencies without a usable name and version']);
  });

  it('v2/v3: packages by install path; root, workspaces and links are the project, not packages', () => {
    const doc = {
      name: 'app',
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0', workspaces: ['packages/*'] },
        'node_modules/@s/b': { version: '2.0.0', license: 'ISC' },
        'node_modules/aliased': { name: 'minimist', version: '1.2.0' },
        'node_modules/ws-a': { resolved: 'packages/ws-a', link: true },
        'packages/ws-a': { name: 'ws-a', version: '0.1.0' },
        'packages/ws-a/node_modules/axios': { version: '0.21.0' },
        'node_modules/typescript': { version: '4.0.0', dev: true },
        'node_modules/no-version': {},
      },
    };
    const warnings: string[] = [];
    expect(summary(doc, warnings)).toEqual([
      ['@s/b', '2.0.0', 'node_modules/@s/b', false],
      ['minimist', '1.2.0', 'node_modules/aliased', false],
      ['axios', '0.21.0', 'packages/ws-a/node_modules/axios', false],
      ['typescript', '4.0.0', 'node_modules/typescript', true],
    ]);
    expect(parsePackageLock(doc, 'x', [])[0]?.licenses).toEqual(['ISC']);
    expect(warnings).toEqual([
      'package-lock.json: skipped 1 package entries without a usable name and version',
    ]);
  });

  it('warns about documents that are not lockfiles and survives deep nesting', () => {
    const warnings: string[] = [];
    expect(summary([1, 2], warnings)).toEqual([]);
    expect(warnings).toEqual(['package-lock.json: not a package-lock document (expected a JSON object)']);
    let deep: Record<string, unknown> = { version: '1.0.0' };
    for (let i = 0; i < 5000; i++) deep = { version: '1.0.0', dependencies: { d: deep } };
    expect(summary({ dependencies: { d: deep } })).toHaveLength(5001);
  });
});

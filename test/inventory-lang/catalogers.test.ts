import { describe, expect, it } from 'vitest';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import type { Cataloger } from '../../src/inventory/cataloger.js';
import { dotnetCataloger } from '../../src/inventory/lang/dotnet/cataloger.js';
import { MAX_PACKAGE_JSON_BYTES, npmCataloger } from '../../src/inventory/lang/npm/cataloger.js';
import { phpCataloger } from '../../src/inventory/lang/php/cataloger.js';
import { pythonCataloger } from '../../src/inventory/lang/python/cataloger.js';
import { rubyCataloger } from '../../src/inventory/lang/ruby/cataloger.js';
import { dpkgCataloger } from '../../src/inventory/os/dpkg/cataloger.js';
import { scanLayers } from '../inventory/support/layers.js';

const json = (value: unknown) => JSON.stringify(value);
const manifest = (name: string, version: string, extra: Record<string, unknown> = {}) =>
  json({ name, version, ...extra });

async function catalog(layers: Parameters<typeof scanLayers>[0], catalogers: Cataloger[]) {
  const files = await scanLayers(layers, catalogers);
  return { files, ...catalogImage(files, undefined, catalogers) };
}

const summary = (packages: { name: string; version: string; locations: { path: string }[] }[]) =>
  packages.map((p) => `${p.name}@${p.version} ${p.locations.map((l) => l.path).join(' ')}`);

describe('npm cataloger', () => {
  it('finds installed packages (nested, scoped, pnpm store, Debian) and no fixtures or markers', async () => {
    const { packages, warnings } = await catalog(
      [
        {
          'app/package.json': manifest('app', '1.0.0'),
          'app/node_modules/lodash/package.json': manifest('lodash', '4.17.11', { license: 'MIT' }),
          'app/node_modules/lodash/fp/package.json': json({ main: '../fp.js' }),
          'app/node_modules/@babel/core/package.json': manifest('@babel/core', '7.0.0'),
          'app/node_modules/express/node_modules/debug/package.json': manifest('debug', '2.6.9'),
          'app/node_modules/resolve/test/node_modules/fake/package.json': manifest('fake', '0.0.0'),
          'app/node_modules/alias/package.json': manifest('minimist', '1.2.0'),
          'web/node_modules/.pnpm/axios@0.21.0/node_modules/axios/package.json': manifest('axios', '0.21.0'),
          'web/node_modules/axios': { type: '2', linkname: '.pnpm/axios@0.21.0/node_modules/axios' },
          'usr/share/nodejs/semver/package.json': manifest('semver', '7.3.8'),
        },
      ],
      [npmCataloger],
    );
    expect(warnings).toEqual([]);
    expect(summary(packages)).toEqual([
      '@babel/core@7.0.0 app/node_modules/@babel/core/package.json',
      'axios@0.21.0 web/node_modules/.pnpm/axios@0.21.0/node_modules/axios/package.json',
      'debug@2.6.9 app/node_modules/express/node_modules/debug/package.json',
      'lodash@4.17.11 app/node_modules/lodash/package.json',
      'minimist@1.2.0 app/node_modules/alias/package.json',
      'semver@7.3.8 usr/share/nodejs/semver/package.json',
    ]);
    expect(packages.find((p) => p.name === '@babel/core')?.purl).toBe('pkg:npm/%40babel/core@7.0.0');
    expect(packages.find((p) => p.name === 'lodash')?.licenses).toEqual(['MIT']);
  });

  it('merges a package found installed and in the lockfile; leaves dev-only lockfile entries out', async () => {
    const lock = {
      name: 'app',
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/lodash': { version: '4.17.11' },
        'node_modules/jest': { version: '29.0.0', dev: true },
      },
    };
    const { packages } = await catalog(
      [
        {
          'app/package-lock.json': json(lock),
          'app/node_modules/lodash/package.json': manifest('lodash', '4.17.11'),
        },
      ],
      [npmCataloger],
    );
    expect(summary(packages)).toEqual([
      'lodash@4.17.11 app/node_modules/lodash/package.json app/package-lock.json',
    ]);
  });

  it('uses the hidden lockfile only for installed packages whose package.json is gone', async () => {
    const hidden = {
      lockfileVersion: 3,
      packages: {
        'node_modules/kept': { version: '1.0.0' },
        'node_modules/stripped': { version: '2.0.0', dev: true },
        'node_modules/ws': { resolved: 'packages/ws', link: true },
      },
    };
    const { packages } = await catalog(
      [
        {
          'app/node_modules/.package-lock.json': json(hidden),
          'app/node_modules/kept/package.json': manifest('kept', '1.0.0'),
        },
      ],
      [npmCataloger],
    );
    expect(summary(packages)).toEqual([
      'kept@1.0.0 app/node_modules/kept/package.json',
      'stripped@2.0.0 app/node_modules/.package-lock.json',
    ]);
  });

  it('reads yarn and pnpm lockfiles outside node_modules only', async () => {
    const { packages } = await catalog(
      [
        {
          'a/yarn.lock': 'lodash@^4.17.0:\n  version "4.17.11"\n',
          'b/pnpm-lock.yaml': "lockfileVersion: '6.0'\npackages:\n  /ms@2.0.0:\n    dev: false\n",
          'a/node_modules/x/yarn.lock': 'left-pad@^1.0.0:\n  version "1.3.0"\n',
        },
      ],
      [npmCataloger],
    );
    expect(summary(packages)).toEqual(['lodash@4.17.11 a/yarn.lock', 'ms@2.0.0 b/pnpm-lock.yaml']);
  });

  it('warns per file about oversized, invalid JSON and invalid UTF-8 manifests and keeps going', async () => {
    const huge = manifest('huge', '1.0.0', { readme: 'x'.repeat(MAX_PACKAGE_JSON_BYTES) });
    const { packages, warnings } = await catalog(
      [
        {
          'app/node_modules/huge/package.json': huge,
          'app/node_modules/broken/package.json': '{"name": "broken", "version": ',
          'app/node_modules/latin1/package.json': Buffer.from(
            '{"name":"latin1","version":"1.0.0","description":"caf\xe9"}',
            'latin1',
          ),
          'app/node_modules/ok/package.json': manifest('ok', '1.0.0'),
          'app/package-lock.json': '[[[',
        },
      ],
      [npmCataloger],
    );
    expect(summary(packages)).toEqual([
      'latin1@1.0.0 app/node_modules/latin1/package.json',
      'ok@1.0.0 app/node_modules/ok/package.json',
    ]);
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^app\/node_modules\/broken\/package\.json: not valid JSON: /);
    expect(warnings[1]).toBe(
      `app/node_modules/huge/package.json: not cataloged: ${huge.length} bytes is over the ${MAX_PACKAGE_JSON_BYTES}-byte limit for this kind of file`,
    );
    expect(warnings[2]).toBe(
      'app/node_modules/latin1/package.json: not valid UTF-8; read with replacement characters',
    );
    expect(warnings[3]).toMatch(/^app\/package-lock\.json: not valid JSON: /);
  });

  it('does not report packages a later layer deleted', async () => {
    const { packages } = await catalog(
      [
        { 'app/node_modules/gone/package.json': manifest('gone', '1.0.0') },
        { 'app/node_modules/.wh.gone': '' },
      ],
      [npmCataloger],
    );
    expect(packages).toEqual([]);
  });
});

describe('python cataloger', () => {
  it('reads dist-info, egg-info directories and files; OS ownership comes from dpkg', async () => {
    const status =
      'Package: python3-requests\nStatus: install ok installed\nArchitecture: all\nVersion: 2.28.1+dfsg-1\nDescription: x\n\n';
    const { packages, warnings } = await catalog(
      [
        {
          'var/lib/dpkg/status': status,
          'var/lib/dpkg/info/python3-requests.list':
            '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO\n',
          'usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO':
            'Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\nLicense: Apache 2.0\n\nlong description\n',
          'usr/lib/python3/dist-packages/pyxdg-0.28.egg-info':
            'Metadata-Version: 1.0\nName: pyxdg\nVersion: 0.28\n',
          'usr/local/lib/python3.11/dist-packages/Local_Pkg-1.2.3.dist-info/METADATA':
            'Metadata-Version: 2.1\nName: Local_Pkg\nVersion: 1.2.3\nLicense-Expression: MIT\n',
          'usr/local/lib/python3.11/dist-packages/bad-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\n',
        },
      ],
      [dpkgCataloger, pythonCataloger],
    );
    const pypi = packages.filter((p) => p.type === 'pypi');
    expect(pypi.map((p) => [p.name, p.version, p.purl, p.osOwned, p.licenses])).toEqual([
      ['Local_Pkg', '1.2.3', 'pkg:pypi/local-pkg@1.2.3', false, ['MIT']],
      ['pyxdg', '0.28', 'pkg:pypi/pyxdg@0.28', false, []],
      ['requests', '2.28.1', 'pkg:pypi/requests@2.28.1', true, ['Apache 2.0']],
    ]);
    expect(warnings).toEqual([
      'usr/local/lib/python3.11/dist-packages/bad-1.0.dist-info/METADATA: no Name and Version in the metadata',
    ]);
  });
});

describe('ruby, php and .NET catalogers', () => {
  it('reads gemspecs, Composer installed.json and deps.json', async () => {
    const gemspec = (name: string, version: string) =>
      `# stub: ${name} ${version} ruby lib\nGem::Specification.new do |s|\n  s.name = "${name}".freeze\n  s.version = "${version}"\n  s.licenses = ["MIT".freeze]\nend\n`;
    const { packages, warnings } = await catalog(
      [
        {
          'usr/share/rubygems-integration/all/specifications/rack-2.2.4.gemspec': gemspec('rack', '2.2.4'),
          'usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec': gemspec('json', '2.6.1'),
          'srv/app/rack.gemspec': gemspec('not-installed', '1.0.0'),
          'srv/www/vendor/composer/installed.json': json({
            packages: [{ name: 'monolog/monolog', version: '2.9.1', license: ['MIT'] }],
          }),
          'srv/www/composer.lock': json({
            packages: [{ name: 'monolog/monolog', version: '2.9.1' }],
            'packages-dev': [{ name: 'phpunit/phpunit', version: '9.6.0' }],
          }),
          'srv/www/vendor/psr/log/composer.lock': json({
            packages: [{ name: 'evil/dev-only', version: '1.0.0' }],
          }),
          'opt/web/Web.deps.json': json({
            libraries: {
              'Web/1.0.0': { type: 'project' },
              'Newtonsoft.Json/13.0.1': { type: 'package' },
            },
          }),
        },
      ],
      [rubyCataloger, phpCataloger, dotnetCataloger],
    );
    expect(warnings).toEqual([]);
    expect(packages.find((p) => p.type === 'composer')?.locations.map((l) => l.path)).toEqual([
      'srv/www/composer.lock',
      'srv/www/vendor/composer/installed.json',
    ]);
    expect(packages.map((p) => [p.type, p.name, p.version, p.purl])).toEqual([
      ['composer', 'monolog/monolog', '2.9.1', 'pkg:composer/monolog/monolog@2.9.1'],
      ['gem', 'json', '2.6.1', 'pkg:gem/json@2.6.1'],
      ['gem', 'rack', '2.2.4', 'pkg:gem/rack@2.2.4'],
      ['nuget', 'Newtonsoft.Json', '13.0.1', 'pkg:nuget/Newtonsoft.Json@13.0.1'],
    ]);
  });

  it('warns about gemspecs without literal values and broken JSON', async () => {
    const { packages, warnings } = await catalog(
      [
        {
          'var/lib/gems/3.1.0/specifications/evil.gemspec':
            'Gem::Specification.new do |s|\n  s.name = `id`\nend\n',
          'vendor/composer/installed.json': '{"packages": [',
          'app/App.deps.json': '"just a string"',
        },
      ],
      [rubyCataloger, phpCataloger, dotnetCataloger],
    );
    expect(packages).toEqual([]);
    expect(warnings.map((w) => w.replace(/: not valid JSON: .*/, ': not valid JSON'))).toEqual([
      'app/App.deps.json: not a .NET deps.json (no "libraries" object)',
      'var/lib/gems/3.1.0/specifications/evil.gemspec: no literal gem name and version in the gemspec',
      'vendor/composer/installed.json: not valid JSON',
    ]);
  });
});

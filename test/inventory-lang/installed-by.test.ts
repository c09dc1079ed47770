import { describe, expect, it } from 'vitest';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import type { Cataloger } from '../../src/inventory/cataloger.js';
import { javaCataloger } from '../../src/inventory/lang/java/cataloger.js';
import { MAX_RECORD_BYTES, pythonCataloger } from '../../src/inventory/lang/python/cataloger.js';
import { dpkgCataloger } from '../../src/inventory/os/dpkg/cataloger.js';
import { scanLayers } from '../inventory/support/layers.js';
import { pomProperties, writeZip } from '../inventory/support/zip-writer.js';

const SITE = 'usr/local/lib/python3.11/dist-packages';
const CATALOGERS: Cataloger[] = [dpkgCataloger, pythonCataloger, javaCataloger];

const jar = (artifact: string, version: string) =>
  writeZip([
    {
      name: `META-INF/maven/org.example/${artifact}/pom.properties`,
      data: pomProperties('org.example', artifact, version),
    },
  ]);

/** A pip-installed distribution: METADATA and a RECORD listing the given paths (plus its own files). */
function distribution(name: string, version: string, record: string[]): Record<string, string> {
  const distInfo = `${name}-${version}.dist-info`;
  return {
    [`${SITE}/${distInfo}/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    [`${SITE}/${distInfo}/RECORD`]: [...record, `${distInfo}/METADATA,sha256=x,1`, `${distInfo}/RECORD,,`, '']
      .map((line) => line.replace(/\n/g, '\r\n'))
      .join('\r\n'),
  };
}

const owners = (
  packages: {
    type: string;
    name: string;
    ownedBy?: string;
    osOwned: boolean;
    locations: { path: string }[];
  }[],
) =>
  packages.map((p) => [
    p.type,
    p.name,
    p.locations.map((l) => l.path).join(' '),
    p.ownedBy ?? '-',
    p.osOwned,
  ]);

describe('language packages installed by another language package', () => {
  it('are owned by the distribution whose RECORD lists their file, through symlinked directories', async () => {
    const status =
      'Package: libshared-java\nStatus: install ok installed\nArchitecture: all\nVersion: 1.0-1\nDescription: x\n\n';
    const files = await scanLayers(
      [
        {
          'var/lib/dpkg/status': status,
          // The OS owns the jar the wheel overwrote: that stays OS ownership, never the wheel's.
          'var/lib/dpkg/info/libshared-java.list': '/usr/share/java/shared.jar\n',
          'usr/share/java/shared.jar': jar('shared', '1.0'),
          'opt/tooldist/bundled.jar': jar('bundled', '2.0'),
          'usr/local/share/tooldist': { type: '2', linkname: '/opt/tooldist' },
          'srv/app/bundled.jar': jar('bundled', '2.0'),
          ...distribution('tooldist', '3.1', [
            '../../../share/tooldist/bundled.jar,sha256=a,10',
            '"/usr/share/java/shared.jar",sha256=b,20',
            'tooldist/__init__.py,,',
          ]),
        },
      ],
      CATALOGERS,
    );
    const { packages, warnings } = catalogImage(files, undefined, CATALOGERS);
    expect(warnings).toEqual([]);
    expect(owners(packages.filter((p) => p.type !== 'deb'))).toEqual([
      ['maven', 'org.example:bundled', 'opt/tooldist/bundled.jar', 'pkg:pypi/tooldist@3.1', false],
      // The copy nobody installed stays its own package.
      ['maven', 'org.example:bundled', 'srv/app/bundled.jar', '-', false],
      ['maven', 'org.example:shared', 'usr/share/java/shared.jar', 'pkg:pypi/tooldist@3.1', true],
      ['pypi', 'tooldist', `${SITE}/tooldist-3.1.dist-info/METADATA`, '-', false],
    ]);
  });

  it('take the smallest purl when two distributions list the file, whatever order they are found in', async () => {
    for (const names of [
      ['alpha', 'beta'],
      ['beta', 'alpha'],
    ]) {
      const layers = names.map((name) => ({
        ...distribution(name, '1.0', ['../../../share/lib.jar,,']),
        'usr/local/share/lib.jar': jar('lib', '1.0'),
      }));
      const files = await scanLayers(layers, CATALOGERS);
      const { packages } = catalogImage(files, undefined, CATALOGERS);
      expect(packages.find((p) => p.type === 'maven')?.ownedBy).toBe('pkg:pypi/alpha@1.0');
      expect(packages.filter((p) => p.ownedBy !== undefined)).toHaveLength(1);
    }
  });

  it('is no claim of a distribution on itself or its other copies', async () => {
    const copy = distribution('selfish', '1.0', ['../../other/selfish-1.0.dist-info/METADATA,,']);
    const files = await scanLayers(
      [
        {
          ...copy,
          ...Object.fromEntries(
            Object.entries(copy).map(([path, text]) => [path.replace(SITE, 'usr/local/lib/other'), text]),
          ),
        },
      ],
      CATALOGERS,
    );
    const { packages } = catalogImage(files, undefined, CATALOGERS);
    expect(owners(packages)).toEqual([
      [
        'pypi',
        'selfish',
        `usr/local/lib/other/selfish-1.0.dist-info/METADATA ${SITE}/selfish-1.0.dist-info/METADATA`,
        '-',
        false,
      ],
    ]);
  });

  it('reports RECORDs over their limit or full of garbage, and keeps the distribution', async () => {
    const files = await scanLayers(
      [
        {
          ...distribution('junk', '1.0', ['a,b,c,d', '\u0001,,']),
          ...distribution('huge', '1.0', ['../../../share/lib.jar,,', 'x,,'.repeat(MAX_RECORD_BYTES / 3)]),
          'usr/local/share/lib.jar': jar('lib', '1.0'),
        },
      ],
      CATALOGERS,
    );
    const { packages, warnings } = catalogImage(files, undefined, CATALOGERS);
    expect(packages.map((p) => [p.name, p.ownedBy ?? '-'])).toEqual([
      ['org.example:lib', '-'],
      ['huge', '-'],
      ['junk', '-'],
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${SITE}/huge-1\\.0\\.dist-info/RECORD: not cataloged: \\d+ bytes is over the ${MAX_RECORD_BYTES}-byte limit`,
        ),
      ),
      `${SITE}/junk-1.0.dist-info/RECORD: 2 rows name no file; skipped`,
    ]);
  });
});

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { scanImage } from '../../src/image/scan/index.js';
import { openImage } from '../../src/image/source/index.js';
import { pythonCataloger } from '../../src/inventory/lang/python/cataloger.js';
import type { Package } from '../../src/inventory/package.js';
import { renderSbom } from '../../src/report/sbom.js';
import { cycloneDxValidator, schemaErrors, spdxValidator } from '../sbom/support/validate.js';
import { buildTestImage } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';
import { type ImageUnderTest, prepareImage } from './support/image-under-test.js';

const run = promisify(execFile);
const itDocker = requireIntegration('Docker', dockerAvailable);

const DIST = 'cerana_pytool';
const PURL = 'pkg:pypi/cerana-pytool@1.2.3';
const TOOL = 'usr/local/bin/ceranatool';

/**
 * What Python itself says the distribution installed: importlib.metadata's files(), located
 * and with their directories resolved (as Cerana compares paths), run in the image offline.
 */
async function importlibFiles(tag: string): Promise<string[]> {
  const program = [
    'import importlib.metadata as m, os',
    `for f in m.files(${JSON.stringify(DIST)}):`,
    '    p = str(f.locate())',
    '    print(os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p)))',
  ].join('\n');
  const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', tag, 'python3', '-c', program]);
  return stdout.split('\n').filter((line) => line !== '');
}

/**
 * test/images/inventory-python-record: Debian's pip installed a local wheel whose data files put
 * a Go executable in /usr/local/bin, so the wheel's RECORD lists it as ../../../bin/ceranatool.
 */
describe('a pip-installed wheel that ships a Go executable', () => {
  let image: ImageUnderTest;
  beforeAll(async () => {
    if (!dockerAvailable) return;
    image = await prepareImage(await buildTestImage('inventory-python-record', { network: 'host' }), [TOOL]);
  });
  afterAll(async () => image?.cleanup());

  itDocker('the Go packages of the executable are owned by the distribution', async () => {
    const packages = image.scan.packages;
    const wheel = packages.filter((p) => p.purl === PURL);
    expect(wheel.map((p) => [p.name, p.version, p.osOwned, p.ownedBy])).toEqual([
      ['cerana-pytool', '1.2.3', false, undefined],
    ]);
    const golang = packages.filter((p) => p.type === 'golang');
    expect(golang.map((p) => [p.name, p.locations.map((l) => l.path), p.ownedBy, p.osOwned])).toEqual([
      ['example.com/cerana/pytool', [TOOL], PURL, false],
      ['stdlib', [TOOL], PURL, false],
    ]);
    // Debian's own Python packages (pip itself) stay the OS's and are nobody's else.
    const debianPython = packages.filter((p) => p.type === 'pypi' && p.purl !== PURL);
    expect(debianPython.length).toBeGreaterThan(0);
    expect(debianPython.every((p) => p.osOwned && p.ownedBy === undefined)).toBe(true);
    expect(packages.filter((p) => p.ownedBy !== undefined)).toEqual(golang);
  });

  itDocker('the files Cerana attributes to the distribution are those importlib.metadata lists', async () => {
    const source = await openImage(`docker-archive:${image.archive}`, {
      cacheDir: join(image.work, 'cache'),
    });
    try {
      const files = await scanImage(source, [pythonCataloger], { noCache: true });
      const { packages, installedFiles } = pythonCataloger.catalog(files, {});
      const wheel = packages.find((p) => p.purl === PURL) as Package;
      const recorded = (installedFiles?.get(wheel) ?? []).map((path) => {
        const slash = path.lastIndexOf('/');
        return `/${files.resolve(path.slice(0, slash))}${path.slice(slash)}`;
      });
      const oracle = await importlibFiles(image.tag);
      expect(oracle).toContain(`/${TOOL}`);
      expect(recorded.sort()).toEqual(oracle.sort());
    } finally {
      await source.close();
    }
  });

  itDocker('ownedBy is in the JSON inventory, a CycloneDX property and an SPDX CONTAINS', () => {
    const json = JSON.parse(renderSbom(image.scan, { format: 'json', reproducible: true }));
    const owned = json.packages.filter((p: { ownedBy?: string }) => p.ownedBy === PURL);
    expect(owned.map((p: { name: string }) => p.name)).toEqual(['example.com/cerana/pytool', 'stdlib']);

    const bom = JSON.parse(renderSbom(image.scan, { format: 'cyclonedx', reproducible: true }));
    expect(schemaErrors(cycloneDxValidator(), bom)).toEqual([]);
    const withProperty = bom.components.filter((c: { properties?: { name: string; value: string }[] }) =>
      c.properties?.some((p) => p.name === 'cerana:package:ownedBy' && p.value === PURL),
    );
    expect(withProperty.map((c: { name: string }) => c.name)).toEqual([
      'example.com/cerana/pytool',
      'stdlib',
    ]);

    const doc = JSON.parse(renderSbom(image.scan, { format: 'spdx', reproducible: true }));
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
    const idOf = (purl: string) =>
      doc.packages
        .filter(
          (p: { externalRefs?: { referenceLocator: string }[] }) =>
            p.externalRefs?.[0]?.referenceLocator === purl,
        )
        .map((p: { SPDXID: string }) => p.SPDXID);
    const [wheelId] = idOf(PURL);
    const contained = doc.relationships
      .filter(
        (r: { spdxElementId: string; relationshipType: string }) =>
          r.spdxElementId === wheelId && r.relationshipType === 'CONTAINS',
      )
      .map((r: { relatedSpdxElement: string }) => r.relatedSpdxElement);
    const goIds = image.scan.packages.filter((p) => p.type === 'golang').flatMap((p) => idOf(p.purl));
    expect(contained).toEqual(goIds);
    expect(goIds).toHaveLength(2);
  });
});

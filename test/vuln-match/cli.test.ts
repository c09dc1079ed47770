import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.js';
import { sbomScanCommand } from '../../src/cli/sbom-scan.js';
import { cerana } from '../support/cli.js';
import { memoryIo } from '../support/memory-io.js';
import { KIT, kitDatabasePath } from './support/db.js';

let work: string;
let dbPath: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cerana-test-vuln-cli-'));
  dbPath = await kitDatabasePath();
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cerana db', () => {
  it('imports the kit and reports its status', async () => {
    const path = join(work, 'db', 'vuln.db');
    const imported = await cerana(['db', 'import', KIT, '--db', path]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^npm\s+updated\s+84 records$/m);
    const status = await cerana(['db', 'status', '--db', path, '--format', 'json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ records: 7051, withdrawn: 27, schemaVersion: 1 });
  }, 120_000);

  it('a missing database is one clear error that says what to run', async () => {
    const status = await cerana(['db', 'status', '--db', join(work, 'none.db')]);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('run `cerana db update`');
  });

  it('an image scan asked for vulnerabilities without a database fails before reading the image', async () => {
    const scan = await cerana([
      'image',
      'dir:/nonexistent',
      '--exit-code',
      '1',
      '--db',
      join(work, 'none.db'),
    ]);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('no vulnerability database');
  });
});

const CYCLONEDX = {
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  metadata: { component: { type: 'container', name: 'shop', version: 'sha256:abc' } },
  components: [
    {
      type: 'library',
      name: 'lodash',
      version: '4.17.15',
      purl: 'pkg:npm/lodash@4.17.15',
      properties: [
        { name: 'cerana:location:path', value: '/app/node_modules/lodash/package.json' },
        { name: 'cerana:location:layer', value: 'sha256:layer1' },
      ],
    },
    { type: 'library', name: 'urllib3', version: '1.26.12', purl: 'pkg:pypi/urllib3@1.26.12' },
    { type: 'library', name: 'stdlib', version: 'v1.19.8', purl: 'pkg:golang/stdlib@v1.19.8' },
    { type: 'library', name: 'no-purl' },
  ],
};

const SPDX = {
  spdxVersion: 'SPDX-2.3',
  name: 'shop',
  packages: [
    {
      SPDXID: 'SPDXRef-1',
      name: 'minimist',
      versionInfo: '1.2.5',
      externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:npm/minimist@1.2.5' }],
      sourceInfo: 'found in /app/node_modules/minimist/package.json (layer sha256:layer2)',
    },
  ],
};

describe('cerana sbom scan', () => {
  it('rescans a CycloneDX SBOM: locations from the SBOM, warnings for what it cannot match', async () => {
    const file = join(work, 'bom.json');
    writeFileSync(file, JSON.stringify(CYCLONEDX));
    const { io, out } = memoryIo();
    const code = await sbomScanCommand.run(
      [file, '--db', dbPath, '--format', 'json', '--exit-code', '4'],
      io,
    );
    expect(code).toBe(4);
    const report = JSON.parse(out());
    const lodash = report.vulnerabilities.filter(
      (f: { package: { name: string } }) => f.package.name === 'lodash',
    );
    expect(lodash.length).toBe(3);
    expect(lodash[0].location).toEqual({
      image: 'shop@sha256:abc',
      path: 'app/node_modules/lodash/package.json',
      layer: 'sha256:layer1',
    });
    const names = new Set(report.vulnerabilities.map((f: { package: { name: string } }) => f.package.name));
    expect(names).toEqual(new Set(['lodash', 'urllib3', 'stdlib']));
    expect(report.warnings).toContain('no-purl: no purl, not matched');
  });

  it('rescans an SPDX SBOM; filters decide the exit code', async () => {
    const file = join(work, 'spdx.json');
    writeFileSync(file, JSON.stringify(SPDX));
    const table = memoryIo();
    // Through `cerana sbom`, which routes `scan` to the rescan command.
    expect(await main(['sbom', 'scan', file, '--db', dbPath, '--exit-code', '3'], table.io)).toBe(3);
    expect(table.out()).toMatch(
      /CVE-2021-44906\s+minimist\s+1\.2\.5\s+1\.2\.6\s+app\/node_modules\/minimist/,
    );
    const filtered = memoryIo();
    expect(
      await sbomScanCommand.run([file, '--db', dbPath, '--exit-code', '3', '--severity', 'LOW'], filtered.io),
    ).toBe(0);
    expect(filtered.out()).toContain(
      'Vulnerabilities (0: 0 CRITICAL, 0 HIGH, 0 MEDIUM, 0 LOW, 0 UNKNOWN; 1 more hidden by filters)',
    );
  });

  it('--debug explains on standard error; SARIF lists the findings', async () => {
    const file = join(work, 'spdx-debug.json');
    writeFileSync(file, JSON.stringify(SPDX));
    const { io, out, err } = memoryIo();
    await sbomScanCommand.run([file, '--db', dbPath, '--debug', '--format', 'sarif'], io);
    expect(err()).toMatch(
      /debug: match minimist@1\.2\.5 \[npm GHSA-xvch-5gv4-984h\]: affected: .*< fixed 1\.2\.6/,
    );
    const sarif = JSON.parse(out());
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('CVE-2021-44906');
  });

  it('refuses what is not an SBOM', async () => {
    const file = join(work, 'not.json');
    writeFileSync(file, '{"hello": 1}');
    await expect(sbomScanCommand.run([file, '--db', dbPath], memoryIo().io)).rejects.toThrow(
      'neither a CycloneDX nor an SPDX JSON document',
    );
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { buildLangImage } from '../inventory-lang/support/lang-image.js';
import { cerana } from '../support/cli.js';
import { saveImage } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';
import { cycloneDxValidator, schemaErrors, spdxValidator } from './support/validate.js';

const itDocker = requireIntegration('Docker', dockerAvailable);

/** Everything but the fields that name the run: CycloneDX timestamp/serial, SPDX created/namespace. */
function withoutRunFields(text: string): string {
  const doc = JSON.parse(text);
  if (doc.metadata) {
    delete doc.metadata.timestamp;
    delete doc.serialNumber;
  }
  if (doc.creationInfo) {
    delete doc.creationInfo.created;
    delete doc.documentNamespace;
  }
  return JSON.stringify(doc);
}

describe('cerana sbom (built CLI)', () => {
  let work: string;
  let tag: string;
  let archive: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    cerana(['sbom', ...args, '--cache-dir', join(work, 'cache'), '--quiet'], { env });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cerana-test-sbom-'));
    if (!dockerAvailable) return;
    tag = await buildLangImage(join(work, 'context'));
    archive = join(work, 'image.tar');
    await saveImage(tag, archive);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  itDocker(
    'writes CycloneDX 1.6 by default, valid against the official schema, with the image and its OS',
    async () => {
      const result = await run([`docker:${tag}`]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const bom = JSON.parse(result.stdout);
      expect(schemaErrors(cycloneDxValidator(), bom)).toEqual([]);
      expect(bom.metadata.component.type).toBe('container');
      expect(bom.metadata.component.purl).toMatch(/^pkg:oci\/inventory-lang@sha256:[0-9a-f]{64}\?arch=amd64/);
      expect(bom.components[0]).toMatchObject({ type: 'operating-system', name: 'debian', version: '12' });
      const purls = new Set(bom.components.map((c: { purl?: string }) => c.purl));
      for (const purl of [
        'pkg:pypi/requests@2.28.1',
        'pkg:gem/cerana-hello@0.1.0',
        'pkg:composer/cerana/greeter@1.4.2',
        'pkg:nuget/Newtonsoft.Json@13.0.1',
      ]) {
        expect(purls).toContain(purl);
      }
      expect([...purls].filter((p) => String(p).startsWith('pkg:deb/debian/')).length).toBeGreaterThan(150);
    },
  );

  itDocker('writes SPDX 2.3 valid against the official schema', async () => {
    const result = await run([`docker:${tag}`, '--format', 'spdx']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
    expect(doc.packages.length).toBeGreaterThan(250);
  });

  itDocker(
    'is deterministic: identical apart from timestamp and serial, byte-identical with --reproducible',
    async () => {
      for (const format of ['cyclonedx', 'spdx']) {
        const first = await run([`docker:${tag}`, '--format', format]);
        const second = await run([`docker:${tag}`, '--format', format]);
        expect(first.stdout).not.toBe(second.stdout);
        expect(withoutRunFields(first.stdout)).toBe(withoutRunFields(second.stdout));
        const pinned = await run([`docker:${tag}`, '--format', format, '--reproducible']);
        const again = await run([`docker:${tag}`, '--format', format, '--reproducible']);
        expect(pinned.stdout).toBe(again.stdout);
        const epoch = await run([`docker:${tag}`, '--format', format, '--reproducible'], {
          SOURCE_DATE_EPOCH: '1700000000',
        });
        expect(epoch.stdout).toContain('2023-11-14T22:13:20Z');
      }
    },
  );

  itDocker('lists the same packages whichever source the image is read from', async () => {
    const components = async (ref: string) => JSON.parse((await run([ref])).stdout).components;
    expect(await components(`docker-archive:${archive}`)).toEqual(await components(`docker:${tag}`));
  });

  itDocker('writes to a file with -o, and offers json and table views of the same packages', async () => {
    const file = join(work, 'out.cdx.json');
    const written = await run([`docker:${tag}`, '-o', file]);
    expect(written.stdout).toBe('');
    expect(JSON.parse(await readFile(file, 'utf8')).bomFormat).toBe('CycloneDX');

    const json = JSON.parse((await run([`docker:${tag}`, '--format', 'json'])).stdout);
    expect(json.schemaVersion).toBe(1);
    expect(
      json.packages.some((p: { name: string; osOwned: boolean }) => p.name === 'requests' && p.osOwned),
    ).toBe(true);
    const table = (await run([`docker:${tag}`, '-f', 'table'])).stdout;
    expect(table).toMatch(/^TYPE\s+NAME\s+VERSION\s+OS-OWNED\s+LOCATION$/m);
    expect(table).toMatch(
      /^gem\s+cerana-hello\s+0\.1\.0\s+-\s+\/var\/lib\/gems\/3\.1\.0\/specifications\/cerana-hello-0\.1\.0\.gemspec$/m,
    );
    expect(table).toContain(`${json.packages.length} package(s)`);
  });

  itDocker('rejects bad usage with exit code 2', async () => {
    expect((await cerana(['sbom'])).code).toBe(2);
    const bad = await cerana(['sbom', `docker:${tag}`, '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one of cyclonedx, spdx, json, table');
    const unwritable = await run([`docker:${tag}`, '-o', join(work, 'missing', 'dir', 'x.json')]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/cannot write .*ENOENT/);
  });
});

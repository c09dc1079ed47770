import { describe, expect, it } from 'vitest';
import type { Package } from '../../src/inventory/package.js';
import { writeCycloneDx } from '../../src/inventory/sbom/cyclonedx.js';
import type { SbomInput } from '../../src/inventory/sbom/model.js';
import { writeSpdx } from '../../src/inventory/sbom/spdx.js';
import { cycloneDxValidator, schemaErrors, spdxValidator } from './support/validate.js';

const LAYER_A = `sha256:${'1'.repeat(64)}`;
const LAYER_B = `sha256:${'2'.repeat(64)}`;

const packages: Package[] = [
  {
    type: 'deb',
    name: 'libc6',
    version: '2.36-9+deb12u4',
    purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
    source: { name: 'glibc', version: '2.36-9+deb12u4' },
    arch: 'amd64',
    licenses: ['LGPL-2.1', 'GPL-2+', 'public-domain'],
    locations: [{ path: 'var/lib/dpkg/status', layer: LAYER_A }],
    osOwned: false,
  },
  {
    type: 'npm',
    name: '@babel/core',
    version: '7.0.0',
    purl: 'pkg:npm/%40babel/core@7.0.0',
    licenses: ['MIT'],
    locations: [
      { path: 'app/node_modules/@babel/core/package.json', layer: LAYER_B },
      { path: 'app/package-lock.json', layer: LAYER_B },
    ],
    osOwned: false,
  },
  {
    type: 'npm',
    name: 'dual',
    version: '1.0.0',
    purl: 'pkg:npm/dual@1.0.0',
    licenses: ['(MIT OR Apache-2.0)'],
    locations: [{ path: 'app/node_modules/dual/package.json', layer: LAYER_B }],
    osOwned: false,
  },
  {
    type: 'pypi',
    name: 'charset_normalizer',
    version: '3.0.1',
    purl: 'pkg:pypi/charset-normalizer@3.0.1',
    licenses: ['MIT License', 'MIT  License'],
    locations: [
      { path: 'usr/lib/python3/dist-packages/charset_normalizer-3.0.1.egg-info/PKG-INFO', layer: LAYER_A },
    ],
    osOwned: true,
  },
  {
    type: 'maven',
    name: 'com.fasterxml.jackson.core:jackson-databind',
    version: '2.14.0',
    purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.14.0',
    licenses: [],
    locations: [{ path: 'usr/share/java/jackson-databind.jar', layer: LAYER_A }],
    osOwned: true,
  },
  {
    type: 'composer',
    name: 'symfony/console',
    version: 'v5.4.0',
    purl: 'pkg:composer/symfony/console@v5.4.0',
    licenses: ['MIT'],
    locations: [{ path: 'srv/vendor/composer/installed.json', layer: LAYER_B }],
    osOwned: false,
  },
  {
    type: 'gem',
    name: 'odd name ünïcode',
    version: '1.0',
    purl: 'pkg:gem/odd%20name%20%C3%BCn%C3%AFcode@1.0',
    licenses: ['Nonstandard "quoted" license'],
    locations: [{ path: 'var/lib/gems/3.1.0/specifications/odd.gemspec', layer: LAYER_B }],
    osOwned: false,
  },
];

const input: SbomInput = {
  image: {
    ref: 'docker:cerana-test/sbom:1',
    name: 'sbom',
    repositoryUrl: 'cerana-test/sbom',
    digest: `sha256:${'a'.repeat(64)}`,
    configDigest: `sha256:${'b'.repeat(64)}`,
    repoDigests: [`cerana-test/sbom@sha256:${'c'.repeat(64)}`],
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    layers: [LAYER_A, LAYER_B],
  },
  os: {
    family: 'debian',
    version: '12',
    codename: 'bookworm',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
    source: 'etc/os-release',
    eol: false,
  },
  packages,
  tool: { name: 'cerana', version: '0.1.0' },
  created: '2024-05-01T12:00:00Z',
  serial: '3e671687-395b-41f5-a30f-a58921a69b79',
};

describe('CycloneDX 1.6 writer', () => {
  const validate = cycloneDxValidator();

  it('writes documents the official schema accepts, with or without an OS and packages', () => {
    expect(schemaErrors(validate, JSON.parse(writeCycloneDx(input)))).toEqual([]);
    const bare = { ...input, packages: [] };
    delete bare.os;
    expect(schemaErrors(validate, JSON.parse(writeCycloneDx(bare)))).toEqual([]);
  });

  it('is validated for real: a broken document fails the schema', () => {
    const bom = JSON.parse(writeCycloneDx(input));
    bom.components[1].licenses = [{ license: { id: 'Not-A-Listed-License' } }];
    expect(schemaErrors(validate, bom)).not.toEqual([]);
  });

  it('describes the image, the OS and every package with purl, licenses, locations and layers', () => {
    const bom = JSON.parse(writeCycloneDx(input));
    expect(bom.metadata.tools.components).toEqual([
      { type: 'application', name: 'cerana', version: '0.1.0' },
    ]);
    expect(bom.metadata.component).toMatchObject({
      type: 'container',
      name: 'sbom',
      version: input.image.digest,
      purl: `pkg:oci/sbom@sha256:${'a'.repeat(64)}?arch=arm64&repository_url=cerana-test%2Fsbom`,
    });
    expect(bom.metadata.component.properties).toContainEqual({
      name: 'cerana:image:layerDiffID',
      value: LAYER_B,
    });
    expect(bom.components[0]).toMatchObject({ type: 'operating-system', name: 'debian', version: '12' });
    const byName = (name: string) => bom.components.find((c: { name: string }) => c.name === name);
    expect(byName('core')).toMatchObject({ group: '@babel', purl: 'pkg:npm/%40babel/core@7.0.0' });
    expect(byName('core').licenses).toEqual([{ license: { id: 'MIT' } }]);
    expect(byName('core').evidence.occurrences).toEqual([
      { location: '/app/node_modules/@babel/core/package.json' },
      { location: '/app/package-lock.json' },
    ]);
    expect(
      byName('core').properties.filter((p: { name: string }) => p.name.startsWith('cerana:location')),
    ).toEqual([
      { name: 'cerana:location:path', value: '/app/node_modules/@babel/core/package.json' },
      { name: 'cerana:location:layer', value: LAYER_B },
      { name: 'cerana:location:path', value: '/app/package-lock.json' },
      { name: 'cerana:location:layer', value: LAYER_B },
    ]);
    expect(byName('dual').licenses).toEqual([{ expression: '(MIT OR Apache-2.0)' }]);
    expect(byName('libc6').licenses).toEqual([
      { license: { id: 'LGPL-2.1' } },
      { license: { name: 'GPL-2+' } },
      { license: { name: 'public-domain' } },
    ]);
    expect(byName('libc6').properties).toContainEqual({ name: 'cerana:package:source:name', value: 'glibc' });
    expect(byName('charset_normalizer').properties).toContainEqual({
      name: 'cerana:package:osOwned',
      value: 'true',
    });
    expect(byName('jackson-databind').group).toBe('com.fasterxml.jackson.core');
    const refs = bom.components.map((c: { 'bom-ref': string }) => c['bom-ref']);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('is byte-identical for the same input', () => {
    expect(writeCycloneDx(input)).toBe(writeCycloneDx({ ...input, packages: [...packages] }));
  });
});

describe('SPDX 2.3 writer', () => {
  const validate = spdxValidator();

  it('writes documents the official schema accepts', () => {
    expect(schemaErrors(validate, JSON.parse(writeSpdx(input)))).toEqual([]);
    const bare = { ...input, packages: [] };
    delete bare.os;
    expect(schemaErrors(validate, JSON.parse(writeSpdx(bare)))).toEqual([]);
  });

  it('is validated for real: a broken document fails the schema', () => {
    const doc = JSON.parse(writeSpdx(input));
    delete doc.packages[2].downloadLocation;
    expect(schemaErrors(validate, doc)).not.toEqual([]);
  });

  it('relates document, image, OS and packages, with purls, sanitized ids and license refs', () => {
    const doc = JSON.parse(writeSpdx(input));
    expect(doc.documentNamespace).toBe('urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79');
    expect(doc.creationInfo).toEqual({ created: '2024-05-01T12:00:00Z', creators: ['Tool: cerana-0.1.0'] });
    const image = doc.packages[0];
    expect(image).toMatchObject({
      SPDXID: 'SPDXRef-Image',
      primaryPackagePurpose: 'CONTAINER',
      checksums: [{ algorithm: 'SHA256', checksumValue: 'a'.repeat(64) }],
    });
    const ids: string[] = doc.packages.map((p: { SPDXID: string }) => p.SPDXID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    const find = (name: string) => doc.packages.find((p: { name: string }) => p.name === name);
    expect(find('@babel/core').externalRefs).toEqual([
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: 'pkg:npm/%40babel/core@7.0.0',
      },
    ]);
    expect(find('libc6').licenseDeclared).toBe('LGPL-2.1 AND LicenseRef-GPL-2 AND LicenseRef-public-domain');
    expect(find('dual').licenseDeclared).toBe('(MIT OR Apache-2.0)');
    expect(find('charset_normalizer').licenseDeclared).toBe(
      'LicenseRef-MIT-License AND LicenseRef-MIT-License-2',
    );
    expect(doc.hasExtractedLicensingInfos).toContainEqual({
      licenseId: 'LicenseRef-MIT-License-2',
      extractedText: 'MIT  License',
      name: 'MIT  License',
    });
    const relation = (type: string, to: string) =>
      doc.relationships.find(
        (r: { relationshipType: string; relatedSpdxElement: string }) =>
          r.relationshipType === type && r.relatedSpdxElement === to,
      )?.spdxElementId;
    expect(relation('DESCRIBES', 'SPDXRef-Image')).toBe('SPDXRef-DOCUMENT');
    expect(relation('CONTAINS', 'SPDXRef-OperatingSystem')).toBe('SPDXRef-Image');
    expect(relation('CONTAINS', find('libc6').SPDXID)).toBe('SPDXRef-OperatingSystem');
    expect(relation('CONTAINS', find('@babel/core').SPDXID)).toBe('SPDXRef-Image');
  });

  it('is byte-identical for the same input', () => {
    expect(writeSpdx(input)).toBe(writeSpdx({ ...input, packages: [...packages] }));
  });
});

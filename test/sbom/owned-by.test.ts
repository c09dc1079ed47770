import { describe, expect, it } from 'vitest';
import type { Package } from '../../src/inventory/package.js';
import { writeCycloneDx } from '../../src/inventory/sbom/cyclonedx.js';
import { packageRef, type SbomInput } from '../../src/inventory/sbom/model.js';
import { writeSpdx } from '../../src/inventory/sbom/spdx.js';
import { cycloneDxValidator, schemaErrors, spdxValidator } from './support/validate.js';

const LAYER = `sha256:${'1'.repeat(64)}`;
const WHEEL = 'pkg:pypi/cerana-pytool@1.2.3';

const pkg = (
  type: Package['type'],
  name: string,
  purl: string,
  path: string,
  extra: Partial<Package> = {},
) => ({
  type,
  name,
  version: '1.0',
  purl,
  licenses: [],
  locations: [{ path, layer: LAYER }],
  osOwned: false,
  ...extra,
});

/** A wheel that shipped a Go executable (two Go packages) next to a Go binary nobody installed. */
const packages: Package[] = [
  pkg('golang', 'example.com/tool', 'pkg:golang/example.com/tool', 'usr/local/bin/tool', { ownedBy: WHEEL }),
  pkg('golang', 'stdlib', 'pkg:golang/stdlib@1.19.8', 'usr/local/bin/tool', { ownedBy: WHEEL }),
  pkg('golang', 'stdlib', 'pkg:golang/stdlib@1.19.8', 'usr/bin/other'),
  pkg(
    'pypi',
    'cerana_pytool',
    WHEEL,
    'usr/local/lib/python3.11/dist-packages/cerana_pytool-1.2.3.dist-info/METADATA',
  ),
];

const input: SbomInput = {
  image: {
    ref: 'docker:cerana-test/owned:1',
    name: 'owned',
    digest: `sha256:${'a'.repeat(64)}`,
    configDigest: `sha256:${'b'.repeat(64)}`,
    repoDigests: [],
    platform: { os: 'linux', architecture: 'amd64' },
    layers: [LAYER],
  },
  packages,
  tool: { name: 'cerana', version: '0.1.0' },
  created: '2024-05-01T12:00:00Z',
  serial: '3e671687-395b-41f5-a30f-a58921a69b79',
};

describe('packages another language package installed, in SBOMs', () => {
  it('CycloneDX: a cerana:package:ownedBy property with the owner purl, schema-valid', () => {
    const bom = JSON.parse(writeCycloneDx(input));
    expect(schemaErrors(cycloneDxValidator(), bom)).toEqual([]);
    const ownedBy = bom.components.map(
      (c: { 'bom-ref': string; properties: { name: string; value: string }[] }) => [
        c['bom-ref'],
        c.properties.filter((p) => p.name === 'cerana:package:ownedBy').map((p) => p.value),
      ],
    );
    expect(ownedBy).toEqual([
      [packageRef(packages[0] as Package), [WHEEL]],
      [packageRef(packages[1] as Package), [WHEEL]],
      [packageRef(packages[2] as Package), []],
      [packageRef(packages[3] as Package), []],
    ]);
    expect(writeCycloneDx(input)).toBe(writeCycloneDx({ ...input, packages: [...packages] }));
  });

  it('SPDX: the owner CONTAINS each package it installed, schema-valid', () => {
    const doc = JSON.parse(writeSpdx(input));
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
    const ids = doc.packages.slice(1).map((p: { SPDXID: string }) => p.SPDXID);
    const [tool, stdlib, other, wheel] = ids;
    const contains = doc.relationships
      .filter((r: { relationshipType: string }) => r.relationshipType === 'CONTAINS')
      .map((r: { spdxElementId: string; relatedSpdxElement: string }) => [
        r.spdxElementId,
        r.relatedSpdxElement,
      ]);
    expect(contains).toEqual([
      ['SPDXRef-Image', tool],
      ['SPDXRef-Image', stdlib],
      ['SPDXRef-Image', other],
      ['SPDXRef-Image', wheel],
      [wheel, tool],
      [wheel, stdlib],
    ]);
    expect(writeSpdx(input)).toBe(writeSpdx({ ...input, packages: [...packages] }));
  });

  it('SPDX: an owner purl that is no package in the document relates nothing', () => {
    const orphan = {
      ...input,
      packages: [pkg('golang', 'x', 'pkg:golang/x', 'bin/x', { ownedBy: 'pkg:pypi/gone@1' })],
    };
    const doc = JSON.parse(writeSpdx(orphan));
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
    expect(doc.relationships).toHaveLength(2);
  });
});

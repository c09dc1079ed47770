import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildPortrait,
  FileHashVisitor,
  packageOwners,
  parsePortrait,
  portraitComponents,
  portraitJson,
} from '../../src/detect/binaries/index.js';
import type { Package } from '../../src/inventory/package.js';
import { scanLayers } from '../inventory/support/layers.js';
import { cycloneDxValidator, schemaErrors } from '../sbom/support/validate.js';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(200, 7)]);
const ELF2 = Buffer.concat([ELF, Buffer.from('second')]);
const SCRIPT = '#!/bin/sh\necho hi\n';

describe('binary portrait over a real layer scan', () => {
  it('lists exec-bit files and ELF files of the merged file system with their hashes and layers', async () => {
    const files = await scanLayers(
      [
        {
          'usr/bin/tool': { body: ELF, mode: 0o755 },
          'usr/lib/libx.so.1': { body: ELF2, mode: 0o644 },
          'usr/bin/run.sh': { body: SCRIPT, mode: 0o755 },
          'usr/bin/plain': { body: 'no shebang', mode: 0o700 },
          'etc/config': { body: 'x=1', mode: 0o644 },
          'opt/old': { body: ELF, mode: 0o755 },
          'usr/bin/empty': { body: '', mode: 0o755 },
        },
        {
          'usr/bin/tool-link': { type: '1', linkname: 'usr/bin/tool', mode: 0o755 },
          'usr/bin/sym': { type: '2', linkname: 'tool', mode: 0o777 },
          'opt/.wh.old': '',
          'usr/bin/run.sh': { body: `${SCRIPT}# v2\n`, mode: 0o4755 },
        },
      ],
      [new FileHashVisitor()],
    );
    const portrait = buildPortrait(files, {
      image: { ref: 'test:image', digest: `sha256:${'0'.repeat(64)}` },
    });
    const [bottom, top] = files.layers.map((l) => l.diffId);
    expect(portrait.executables).toEqual([
      {
        path: '/usr/bin/empty',
        sha256: sha(''),
        size: 0,
        mode: '0755',
        format: 'other',
        layer: bottom,
        layerIndex: 0,
      },
      {
        path: '/usr/bin/plain',
        sha256: sha('no shebang'),
        size: 10,
        mode: '0700',
        format: 'other',
        layer: bottom,
        layerIndex: 0,
      },
      {
        path: '/usr/bin/run.sh',
        sha256: sha(`${SCRIPT}# v2\n`),
        size: SCRIPT.length + 5,
        mode: '4755',
        format: 'script',
        layer: top,
        layerIndex: 1,
      },
      {
        path: '/usr/bin/tool',
        sha256: sha(ELF),
        size: ELF.length,
        mode: '0755',
        format: 'elf',
        layer: bottom,
        layerIndex: 0,
      },
      // A hard link is listed under its own path with the content (and layer) of its target.
      {
        path: '/usr/bin/tool-link',
        sha256: sha(ELF),
        size: ELF.length,
        mode: '0755',
        format: 'elf',
        layer: bottom,
        layerIndex: 0,
      },
      // ELF without an execute bit: still runnable through the loader.
      {
        path: '/usr/lib/libx.so.1',
        sha256: sha(ELF2),
        size: ELF2.length,
        mode: '0644',
        format: 'elf',
        layer: bottom,
        layerIndex: 0,
      },
    ]);
    expect(portrait.warnings).toEqual([]);
    expect(parsePortrait(portraitJson(portrait))).toEqual(portrait);
  });

  it('names the owning OS package from dpkg file lists, through merged-/usr symlinks', async () => {
    const files = await scanLayers(
      [
        {
          bin: { type: '2', linkname: 'usr/bin', mode: 0o777 },
          'usr/bin/dash': { body: ELF, mode: 0o755 },
          'usr/bin/mine': { body: ELF2, mode: 0o755 },
          'var/lib/dpkg/info/dash.list': '/.\n/bin\n/bin/dash\n',
        },
      ],
      [
        new FileHashVisitor(),
        { name: 'dpkg-lists', version: 1, wants: (p) => (p.endsWith('.list') ? 'capture' : false) },
      ],
    );
    const dash: Package = {
      type: 'deb',
      name: 'dash',
      version: '0.5.12-2',
      purl: 'pkg:deb/debian/dash@0.5.12-2?arch=amd64',
      arch: 'amd64',
      licenses: [],
      locations: [{ path: 'var/lib/dpkg/status', layer: '' }],
      osOwned: false,
    };
    const portrait = buildPortrait(files, { owners: packageOwners(files, [dash]) });
    expect(portrait.executables.map((e) => [e.path, e.package?.name])).toEqual([
      ['/usr/bin/dash', 'dash'],
      ['/usr/bin/mine', undefined],
    ]);
  });

  it('lists a file over the hashing cap without a hash, and says so', async () => {
    const files = await scanLayers(
      [{ 'usr/bin/big': { body: ELF, mode: 0o755 } }],
      [new FileHashVisitor({ maxHashBytes: 16 })],
    );
    const portrait = buildPortrait(files);
    expect(portrait.executables).toHaveLength(1);
    expect(portrait.executables[0]?.sha256).toBeUndefined();
    expect(portrait.executables[0]?.format).toBe('elf');
    expect(portrait.warnings).toEqual([expect.stringContaining('/usr/bin/big: over the hashing size cap')]);
  });

  it('refuses to build a portrait from a scan that did not hash files', async () => {
    const files = await scanLayers([{ 'usr/bin/x': { body: ELF, mode: 0o755 } }], []);
    expect(() => buildPortrait(files)).toThrow(/file-hash visitor/);
  });

  it('gives CycloneDX file components the official 1.6 schema accepts', async () => {
    const files = await scanLayers(
      [{ 'usr/bin/tool': { body: ELF, mode: 0o755 }, 'usr/bin/run': { body: SCRIPT, mode: 0o755 } }],
      [new FileHashVisitor()],
    );
    const components = portraitComponents(buildPortrait(files));
    expect(components[1]).toEqual({
      type: 'file',
      'bom-ref': 'file:/usr/bin/tool',
      name: '/usr/bin/tool',
      hashes: [{ alg: 'SHA-256', content: sha(ELF) }],
      properties: [
        { name: 'cerana:file:format', value: 'elf' },
        { name: 'cerana:file:mode', value: '0755' },
        { name: 'cerana:file:size', value: String(ELF.length) },
        { name: 'cerana:file:layer', value: files.layers[0]?.diffId },
      ],
    });
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      version: 1,
      components,
    };
    expect(schemaErrors(cycloneDxValidator(), bom)).toEqual([]);
  });
});

describe('parsePortrait', () => {
  it.each([
    ['not JSON', '{', /not JSON/],
    ['another document', '{"bomFormat":"CycloneDX"}', /not a version 1 binary portrait/],
    ['a bad hash', doc({ sha256: 'XYZ' }), /executables\[0\]\.sha256/],
    ['a relative path', doc({ path: 'usr/bin/x' }), /executables\[0\]\.path/],
    ['a bad mode', doc({ mode: '755' }), /executables\[0\]\.mode/],
    ['an unknown format', doc({ format: 'pe' }), /executables\[0\]\.format/],
    ['a package without a version', doc({ package: { type: 'deb', name: 'x' } }), /package needs/],
  ])('rejects %s with the field named', (_what, text, message) => {
    expect(() => parsePortrait(text)).toThrow(message);
  });
});

function doc(override: Record<string, unknown>): string {
  const entry = {
    path: '/usr/bin/x',
    sha256: 'a'.repeat(64),
    size: 1,
    mode: '0755',
    format: 'elf',
    layer: `sha256:${'1'.repeat(64)}`,
    layerIndex: 0,
    ...override,
  };
  return JSON.stringify({ schemaVersion: 1, hashAlgorithm: 'sha256', executables: [entry], warnings: [] });
}

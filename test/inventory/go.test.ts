import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { binaryCataloger } from '../../src/inventory/binary/cataloger.js';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import { MAX_RETAINED_READ_ONLY, readGoBuildInfo } from '../../src/inventory/lang/go/buildinfo.js';
import { buildTestImage } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';
import { buildGoFixtures, GO_TARGETS, goAvailable, goVersionM, modinfoLines } from './support/go-fixtures.js';
import { type ImageUnderTest, prepareImage } from './support/image-under-test.js';
import { scanLayers } from './support/layers.js';

const itGo = requireIntegration('go (Debian golang-go) and zip', goAvailable);

/** The binary streamed in small, uneven chunks: patterns must be found across chunk edges. */
function chunked(data: Buffer, size = 4093): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

describe('Go build information read while streaming, against go version -m', () => {
  let dir: string;
  let binaries: Record<string, string> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cerana-go-'));
    if (goAvailable) binaries = await buildGoFixtures(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  itGo('every target (both byte orders, 32 and 64 bit, PIE, stripped, external linker)', async () => {
    expect(Object.keys(binaries)).toHaveLength(Object.keys(GO_TARGETS).length + 2);
    for (const [name, path] of Object.entries(binaries)) {
      const oracle = goVersionM(path);
      const data = readFileSync(path);
      const info = await readGoBuildInfo(chunked(data), data.length);
      expect({ name, goVersion: info?.goVersion }).toEqual({ name, goVersion: oracle.goVersion });
      expect({ name, lines: modinfoLines(info?.modinfo ?? '') }).toEqual({ name, lines: oracle.lines });
      expect(oracle.lines.filter((line) => line.startsWith('=>'))).toEqual([
        expect.stringMatching(/^=>\texample\.com\/libfork\tv1\.3\.0\th1:/),
        '=>\t./util\t(devel)',
      ]);
    }
  });

  itGo('cataloged from an image layer: stdlib, main module, dependencies with replacements', async () => {
    const binary = readFileSync(binaries['hello-amd64'] as string);
    const files = await scanLayers(
      [
        {
          'usr/local/bin/hello': { body: binary, mode: 0o755 },
          'opt/not-executable/hello': { body: binary, mode: 0o644 },
          'usr/local/bin/script': { body: '#!/bin/sh\necho hi\n'.repeat(100), mode: 0o755 },
        },
      ],
      [binaryCataloger],
    );
    const { packages, warnings } = catalogImage(files, undefined, [binaryCataloger]);
    expect(warnings).toEqual([]);
    const layer = files.layers[0]?.diffId;
    expect(packages.map((p) => [p.name, p.version, p.purl, p.locations])).toEqual(
      [
        ['example.com/cerana/hello', '(devel)', 'pkg:golang/example.com/cerana/hello'],
        ['example.com/libfork', 'v1.3.0', 'pkg:golang/example.com/libfork@v1.3.0'],
        ['example.com/plain', 'v1.0.0', 'pkg:golang/example.com/plain@v1.0.0'],
        ['example.com/util', '(devel)', 'pkg:golang/example.com/util'],
        ['stdlib', goVersionM(binaries['hello-amd64'] as string).goVersion.slice(2), expect.any(String)],
      ].map((row) => [...row, [{ path: 'usr/local/bin/hello', layer }]]),
    );
    expect(packages.find((p) => p.name === 'stdlib')?.purl).toMatch(/^pkg:golang\/stdlib@1\.\d+/);
  });

  itGo('damaged Go binaries are a warning naming the file; other files are not looked at twice', async () => {
    const binary = readFileSync(binaries['hello-amd64'] as string);
    const magic = binary.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    const files = await scanLayers(
      [
        {
          'bin/cut-after-header': { body: binary.subarray(0, magic + 40), mode: 0o755 },
          'bin/not-elf': { body: Buffer.alloc(4096, 7), mode: 0o755 },
          'bin/bad-elf': {
            body: Buffer.concat([binary.subarray(0, 16), Buffer.alloc(4096, 0xff)]),
            mode: 0o755,
          },
        },
      ],
      [binaryCataloger],
    );
    const { packages, warnings } = catalogImage(files, undefined, [binaryCataloger]);
    expect(packages).toEqual([]);
    expect(warnings).toEqual([
      'bin/cut-after-header: Go build information is damaged: build information strings run past the end of the file',
    ]);
  });
});

/** Debian's own Go binaries, where the host has them (built by Debian's dh-golang, GOPATH mode). */
const HOST_GO_BINARIES = ['/usr/sbin/runc', '/usr/sbin/dockerd', '/usr/bin/containerd'].filter(existsSync);
const itHost = requireIntegration(
  'Debian Go binaries on the host (runc, dockerd, containerd)',
  goAvailable && HOST_GO_BINARIES.length > 0,
);

describe('Debian-built Go binaries on this host', () => {
  itHost('read exactly as go version -m reads them', async () => {
    for (const path of HOST_GO_BINARIES) {
      const oracle = goVersionM(path);
      const info = await readGoBuildInfo(createReadStream(path), statSync(path).size);
      expect({ path, goVersion: info?.goVersion, lines: modinfoLines(info?.modinfo ?? '') }).toEqual({
        path,
        goVersion: oracle.goVersion,
        lines: oracle.lines,
      });
    }
  });
});

const itOld = requireIntegration('Docker and go (Debian golang-go)', dockerAvailable && goAvailable);

/**
 * test/images/inventory-go-old: binaries in the pre-Go-1.18 format (the header points at string
 * headers, whose bytes come earlier in the file than the header itself), built by Debian
 * bullseye's Go 1.15 for amd64, s390x (big-endian) and 386 (32-bit), and bullseye's runc.
 */
describe('pre-1.18 build information, from Go 1.15 binaries', () => {
  let image: ImageUnderTest;
  beforeAll(async () => {
    if (!dockerAvailable || !goAvailable) return;
    image = await prepareImage(await buildTestImage('inventory-go-old', { network: 'host' }), ['opt/go-old']);
  });
  afterAll(async () => image?.cleanup());

  itOld('read while streaming exactly as go version -m reads them, and cataloged', async () => {
    const names = ['hello-amd64', 'hello-s390x', 'hello-386', 'runc-bullseye'];
    for (const name of names) {
      const path = join(image.rootfs, 'opt/go-old', name);
      const oracle = goVersionM(path);
      expect(oracle.goVersion).toMatch(/^go1\.15\./);
      const data = readFileSync(path);
      // Read-only data kept whole, and (too big to keep) searched for string candidates.
      for (const maxRetainedReadOnly of [MAX_RETAINED_READ_ONLY, 0]) {
        const info = await readGoBuildInfo(chunked(data), data.length, maxRetainedReadOnly);
        expect({ name, goVersion: info?.goVersion, lines: modinfoLines(info?.modinfo ?? '') }).toEqual({
          name,
          goVersion: oracle.goVersion,
          lines: oracle.lines,
        });
      }
    }
    const golang = image.scan.packages.filter((p) => p.type === 'golang');
    const at = (name: string) => `opt/go-old/${name}`;
    expect(golang.map((p) => [p.name, p.version, p.locations.map((l) => l.path)])).toEqual([
      ['example.com/cerana/hello', '(devel)', names.slice(0, 3).map(at).sort()],
      ['example.com/libfork', 'v1.3.0', names.slice(0, 3).map(at).sort()],
      ['example.com/plain', 'v1.0.0', names.slice(0, 3).map(at).sort()],
      ['example.com/util', '(devel)', names.slice(0, 3).map(at).sort()],
      ['stdlib', '1.15.15', names.map(at).sort()],
    ]);
  });
});

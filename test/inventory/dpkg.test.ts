import { describe, expect, it } from 'vitest';
import type { ImageFiles } from '../../src/image/scan/index.js';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import type { Cataloger } from '../../src/inventory/cataloger.js';
import type { OsInfo } from '../../src/inventory/os/detect.js';
import { dpkgCataloger } from '../../src/inventory/os/dpkg/cataloger.js';
import { scanLayers } from './support/layers.js';

const debian12: OsInfo = {
  family: 'debian',
  version: '12',
  codename: 'bookworm',
  prettyName: 'Debian GNU/Linux 12 (bookworm)',
  source: 'etc/os-release',
  eol: false,
};

const paragraph = (name: string, version: string, extra = '') =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n${extra}Description: x\n more\n\n`;

const DEP5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: curl

Files: *
Copyright: 1996 Daniel
License: curl

Files: debian/*
License: BSD-3-clause or GPL-2+
`;

/** A language cataloger standing in for the real ones: it reports one package per `*.tool` file. */
const toolCataloger: Cataloger = {
  name: 'test/tool',
  version: 1,
  wants: (path) => (path.endsWith('.tool') ? 'capture' : false),
  catalog: (files: ImageFiles) => ({
    packages: [...files.capturedFiles()]
      .filter((file) => file.visible && file.path.endsWith('.tool'))
      .map((file) => ({
        type: 'golang' as const,
        name: file.data.toString().trim(),
        version: '1.0.0',
        purl: `pkg:golang/${file.data.toString().trim()}@1.0.0`,
        licenses: [],
        locations: [{ path: file.path, layer: '' }],
        osOwned: false,
      })),
    warnings: [],
  }),
};

describe('dpkg cataloger', () => {
  it('lists installed packages with the layer that installed them, sources, licenses and owned files', async () => {
    const files = await scanLayers(
      [
        {
          lib: { type: '2', linkname: 'usr/lib' },
          'var/lib/dpkg/status':
            paragraph('libc6', '2.36-9+deb12u4', 'Multi-Arch: same\nSource: glibc\n') +
            paragraph('base-files', '12.4+deb12u5'),
        },
        {
          'var/lib/dpkg/status':
            paragraph('libc6', '2.36-9+deb12u4', 'Multi-Arch: same\nSource: glibc\n') +
            paragraph('base-files', '12.4+deb12u6') +
            paragraph('curl', '7.88.1-10+deb12u5') +
            paragraph('python3', '3.11.2-1+b1', 'Source: python3-defaults (3.11.2-1)\n') +
            'Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n',
          'var/lib/dpkg/info/curl.list': '/.\n/usr\n/usr/bin/curl\n/lib/curl/plugin.tool\n',
          'var/lib/dpkg/info/libc6:amd64.list': '/lib/x86_64-linux-gnu/libc.so.6\n',
          'usr/share/doc/curl/copyright': DEP5,
          'usr/lib/curl/plugin.tool': 'example.com/owned\n',
          'opt/app/own.tool': 'example.com/unowned\n',
        },
      ],
      [dpkgCataloger, toolCataloger],
    );
    const [bottom, top] = files.layers.map((layer) => layer.diffId);
    const { packages, warnings } = catalogImage(files, debian12, [dpkgCataloger, toolCataloger]);
    expect(warnings).toEqual([]);
    const summary = packages.map((p) => [p.type, p.name, p.version, p.locations, p.osOwned]);
    expect(summary).toEqual([
      ['deb', 'base-files', '12.4+deb12u6', [{ path: 'var/lib/dpkg/status', layer: top }], false],
      ['deb', 'curl', '7.88.1-10+deb12u5', [{ path: 'var/lib/dpkg/status', layer: top }], false],
      ['deb', 'libc6', '2.36-9+deb12u4', [{ path: 'var/lib/dpkg/status', layer: bottom }], false],
      ['deb', 'python3', '3.11.2-1+b1', [{ path: 'var/lib/dpkg/status', layer: top }], false],
      ['golang', 'example.com/owned', '1.0.0', [{ path: 'usr/lib/curl/plugin.tool', layer: top }], true],
      ['golang', 'example.com/unowned', '1.0.0', [{ path: 'opt/app/own.tool', layer: top }], false],
    ]);
    const curl = packages.find((p) => p.name === 'curl');
    expect(curl?.purl).toBe('pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12');
    expect(curl?.licenses).toEqual(['BSD-3-clause', 'GPL-2+', 'curl']);
    const python = packages.find((p) => p.name === 'python3');
    expect(python?.source).toEqual({ name: 'python3-defaults', version: '3.11.2-1' });
    expect(packages.find((p) => p.name === 'libc6')?.source).toEqual({
      name: 'glibc',
      version: '2.36-9+deb12u4',
    });
  });

  it('reads distroless status.d files and their md5sums', async () => {
    const files = await scanLayers(
      [
        {
          'var/lib/dpkg/status.d/libssl3': `Package: libssl3\nVersion: 3.0.15-1~deb12u1\nArchitecture: amd64\nSource: openssl\n`,
          'var/lib/dpkg/status.d/libssl3.md5sums':
            'd41d8cd98f00b204e9800998ecf8427e  usr/lib/x86_64-linux-gnu/ossl.tool\n',
          'usr/lib/x86_64-linux-gnu/ossl.tool': 'example.com/ossl\n',
        },
      ],
      [dpkgCataloger, toolCataloger],
    );
    const { packages } = catalogImage(files, undefined, [dpkgCataloger, toolCataloger]);
    expect(packages.map((p) => [p.name, p.purl, p.locations[0]?.path, p.osOwned])).toEqual([
      [
        'libssl3',
        'pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64',
        'var/lib/dpkg/status.d/libssl3',
        false,
      ],
      ['example.com/ossl', 'pkg:golang/example.com/ossl@1.0.0', 'usr/lib/x86_64-linux-gnu/ossl.tool', true],
    ]);
  });

  it('warns about broken files and keeps going', async () => {
    const files = await scanLayers(
      [
        {
          'var/lib/dpkg/status': Buffer.concat([
            Buffer.from(paragraph('ok', '1.0')),
            Buffer.from('Package: broken\nStatus: install ok installed\n\n'),
            Buffer.from('Package: bad\xff\xfeutf\nStatus: install ok installed\nVersion: 2\n\n', 'latin1'),
          ]),
          // Machine-readable, with a License line that is not UTF-8: the one part of the file read.
          'usr/share/doc/ok/copyright': Buffer.concat([
            Buffer.from('Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n'),
            Buffer.from([...Buffer.from('Files: *\nLicense: '), 0xc3, 0x28, 0x0a]),
          ]),
        },
      ],
      [dpkgCataloger],
    );
    const { packages, warnings } = catalogImage(files, debian12, [dpkgCataloger]);
    expect(packages.map((p) => p.name)).toEqual(['bad\ufffd\ufffdutf', 'ok']);
    expect(warnings).toEqual([
      'usr/share/doc/ok/copyright: not valid UTF-8; read with replacement characters',
      'var/lib/dpkg/status: not valid UTF-8; read with replacement characters',
      'var/lib/dpkg/status: skipped a paragraph without Package/Version',
    ]);
  });

  it('reports a status file over the capture limit instead of dropping it silently', async () => {
    const { scanImage } = await import('../../src/image/scan/index.js');
    const { imageOf, memoryLayer, tar } = await import('../scan/support/tar-writer.js');
    const big = paragraph('x', '1').repeat(2000);
    const image = imageOf([memoryLayer(tar([{ name: 'var/lib/dpkg/status', body: big }]))]);
    const files = await scanImage(image, [dpkgCataloger], { limits: { maxCaptureFileBytes: 1024 } });
    const { packages, warnings } = catalogImage(files, debian12, [dpkgCataloger]);
    expect(packages).toEqual([]);
    expect(warnings).toEqual([
      `var/lib/dpkg/status: not cataloged: ${big.length} bytes is over the capture limit (over-file-limit)`,
    ]);
  });

  it('caps the warnings of a hostile file', async () => {
    const files = await scanLayers(
      [{ 'var/lib/dpkg/status': 'Package: broken\nStatus: install ok installed\n\n'.repeat(50_000) }],
      [dpkgCataloger],
    );
    const { packages, warnings } = catalogImage(files, debian12, [dpkgCataloger]);
    expect(packages).toEqual([]);
    expect(warnings).toEqual([
      'var/lib/dpkg/status: 49980 more warnings not shown',
      'var/lib/dpkg/status: skipped a paragraph without Package/Version',
    ]);
  });
});

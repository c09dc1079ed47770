import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Package } from '../../src/inventory/package.js';
import { buildTestImage } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';
import { goVersionM } from './support/go-fixtures.js';
import { type ImageUnderTest, prepareImage } from './support/image-under-test.js';

const itDocker = requireIntegration('Docker', dockerAvailable);

/**
 * test/images/inventory-debian: Debian bookworm plus apt-installed Python, Java libraries, runc
 * and libc6:i386, in four layers. Each cataloger's answer is compared with the package
 * manager's own.
 */
describe('a Debian image with apt-installed packages', () => {
  let image: ImageUnderTest;
  const deb = (): Package[] => image.scan.packages.filter((p) => p.type === 'deb');

  beforeAll(async () => {
    if (!dockerAvailable) return;
    const tag = await buildTestImage('inventory-debian', { network: 'host' });
    image = await prepareImage(tag, ['var/lib/dpkg', 'usr/share/doc/*/copyright', 'usr/sbin/runc']);
  });
  afterAll(async () => image?.cleanup());

  itDocker('dpkg: exactly the installed packages dpkg-query lists, with arch and (binNMU) source', () => {
    const format =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
      '${Package} ${Version} ${Architecture} ${source:Package} ${source:Version} ${db:Status-Status}\n';
    const oracle = execFileSync(
      'dpkg-query',
      ['--admindir', join(image.rootfs, 'var/lib/dpkg'), '-W', '-f', format],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.replace(/ installed$/, ''))
      .sort();
    const ours = deb()
      .map((p) => `${p.name} ${p.version} ${p.arch} ${p.source?.name} ${p.source?.version}`)
      .sort();
    expect(ours).toEqual(oracle);
    expect(oracle.length).toBeGreaterThan(120);
    // The binNMU and the second architecture are really there.
    expect(oracle).toContain('python3 3.11.2-1+b1 amd64 python3-defaults 3.11.2-1');
    expect(oracle.some((line) => line.startsWith('libc6 ') && line.includes(' i386 '))).toBe(true);
  });

  itDocker('dpkg: each package dated to the layer whose apt-get installed it', () => {
    const layers = image.scan.layers.map((layer) => layer.diffId);
    const layerOf = (name: string, arch = 'amd64') =>
      layers.indexOf(deb().find((p) => p.name === name && p.arch === arch)?.locations[0]?.layer ?? '');
    expect(layers).toHaveLength(5);
    expect(layerOf('base-files')).toBe(0);
    expect(layerOf('python3-requests', 'all')).toBe(1);
    expect(layerOf('libjackson2-databind-java', 'all')).toBe(2);
    expect(layerOf('runc')).toBe(3);
    expect(layerOf('libc6', 'i386')).toBe(3);
    // Purged in layer 3 and installed again in layer 4.
    expect(layerOf('liblog4j2-java', 'all')).toBe(4);
    for (const pkg of deb())
      expect(pkg.locations).toEqual([{ path: 'var/lib/dpkg/status', layer: expect.any(String) }]);
  });

  itDocker('dpkg: purls with distro qualifiers, licenses from machine-readable copyright files', () => {
    const libc = deb().find((p) => p.name === 'libc6' && p.arch === 'i386');
    expect(libc?.purl).toBe(
      `pkg:deb/debian/libc6@${encodeURIComponent(libc?.version ?? '')}?arch=i386&distro=debian-12`,
    );
    const jackson = deb().find((p) => p.name === 'libjackson2-databind-java');
    const copyright = readFileSync(
      join(image.rootfs, 'usr/share/doc/libjackson2-databind-java/copyright'),
      'utf8',
    );
    const declared = new Set([...copyright.matchAll(/^License: (\S+)/gm)].map((m) => m[1]));
    expect(new Set(jackson?.licenses)).toEqual(declared);
    const licensed = deb().filter((p) => p.licenses.length > 0).length;
    expect(licensed / deb().length).toBeGreaterThan(0.5);
  });

  itDocker('go: runc from the Debian package, as go version -m reads it, owned by dpkg', () => {
    const oracle = goVersionM(join(image.rootfs, 'usr/sbin/runc'));
    const golang = image.scan.packages.filter((p) => p.type === 'golang');
    // Debian builds in GOPATH mode: no main module, no dependencies; only the toolchain.
    expect(oracle.lines.filter((line) => /^(mod|dep|=>)\t/.test(line))).toEqual([]);
    expect(golang.map((p) => [p.name, p.version, p.locations.map((l) => l.path), p.osOwned])).toEqual([
      ['stdlib', oracle.goVersion.replace(/^go/, ''), ['usr/sbin/runc'], true],
    ]);
  });
});

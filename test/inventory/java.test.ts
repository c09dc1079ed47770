import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import { DEFAULT_JAVA_LIMITS, inspectJavaArchive } from '../../src/inventory/lang/java/archive.js';
import { javaCataloger } from '../../src/inventory/lang/java/cataloger.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { scanLayers } from './support/layers.js';
import { pomProperties, writeZip } from './support/zip-writer.js';

const run = promisify(execFile);
const toolsAvailable = commandWorks('jar', ['--version']) && commandWorks('zip', ['-v']);
const itJar = requireIntegration('the JDK jar tool and zip', toolsAvailable);

function put(root: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** The artifacts found in a file, as `group:artifact:version@where`. */
async function artifacts(data: Buffer, name: string, limits = DEFAULT_JAVA_LIMITS) {
  const chunks = Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += 3001) yield data.subarray(i, i + 3001);
    })(),
  );
  const report = await inspectJavaArchive(chunks, name, limits);
  return {
    found: report.artifacts
      .map((a) => `${a.groupId}:${a.artifactId}:${a.version}@${a.archive || '.'}(${a.source})`)
      .sort(),
    warnings: report.warnings,
  };
}

describe('Java archives built with the JDK jar tool and zip', () => {
  let dir: string;
  const files: Record<string, Buffer> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cerana-java-'));
    if (!toolsAvailable) return;
    const jar = async (name: string, root: string, manifest?: string) => {
      const out = join(dir, name);
      const args = manifest ? ['cfm', out, join(dir, manifest)] : ['cf', out];
      await run('jar', [...args, '-C', join(dir, root), '.']);
      files[name] = readFileSync(out);
      return out;
    };
    // A library, and an application jar that shades two libraries (three pom.properties).
    put(
      join(dir, 'lib'),
      'META-INF/maven/org.example/lib/pom.properties',
      pomProperties('org.example', 'lib', '2.3'),
    );
    put(join(dir, 'lib'), 'org/example/Lib.class', Buffer.alloc(3000, 1));
    await jar('lib-2.3.jar', 'lib');
    const app = join(dir, 'app');
    put(app, 'META-INF/maven/org.example/app/pom.properties', pomProperties('org.example', 'app', '1.0.0'));
    put(
      app,
      'META-INF/maven/com.google.guava/guava/pom.properties',
      pomProperties('com.google.guava', 'guava', '31.1-jre'),
    );
    put(
      app,
      'META-INF/maven/org.slf4j/slf4j-api/pom.properties',
      pomProperties('org.slf4j', 'slf4j-api', '1.7.36'),
    );
    put(app, 'com/google/common/Base.class', Buffer.from('x'.repeat(50_000)));
    await jar('app-1.0.0.jar', 'app');
    // A manifest-only OSGi bundle.
    put(
      dir,
      'bson.mf',
      'Manifest-Version: 1.0\nBundle-SymbolicName: org.mongodb.bson;singleton:=true\nBundle-Version: 3.6.\n 3\n\n',
    );
    put(join(dir, 'bson'), 'org/bson/BSON.class', 'bson');
    await jar('bson-3.6.3.jar', 'bson', 'bson.mf');
    // A war with both jars in WEB-INF/lib, and an ear holding the war and a stored (zip -0) jar.
    put(
      join(dir, 'war'),
      'META-INF/maven/org.example/web/pom.properties',
      pomProperties('org.example', 'web', '5.0'),
    );
    put(join(dir, 'war'), 'WEB-INF/lib/lib-2.3.jar', files['lib-2.3.jar'] as Buffer);
    put(join(dir, 'war'), 'WEB-INF/lib/app-1.0.0.jar', files['app-1.0.0.jar'] as Buffer);
    await jar('web-5.0.war', 'war');
    put(join(dir, 'ear'), 'web-5.0.war', files['web-5.0.war'] as Buffer);
    put(join(dir, 'ear'), 'lib/bson-3.6.3.jar', files['bson-3.6.3.jar'] as Buffer);
    await run('zip', ['-q', '-0', '-r', join(dir, 'suite-1.ear'), '.'], { cwd: join(dir, 'ear') });
    files['suite-1.ear'] = readFileSync(join(dir, 'suite-1.ear'));
    // zip64 headers forced on every entry, and an executable jar (shell launcher in front).
    await run('zip', ['-q', '-fz', '-r', join(dir, 'lib64-2.3.jar'), '.'], { cwd: join(dir, 'lib') });
    files['lib64-2.3.jar'] = readFileSync(join(dir, 'lib64-2.3.jar'));
    files['launcher.jar'] = Buffer.concat([
      Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n'),
      files['app-1.0.0.jar'] as Buffer,
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  itJar('jar-tool jars (data descriptors), shaded, manifest-only, zip64 and launcher-prefixed', async () => {
    expect(await artifacts(files['lib-2.3.jar'] as Buffer, 'lib-2.3.jar')).toEqual({
      found: ['org.example:lib:2.3@.(pom.properties)'],
      warnings: [],
    });
    const shaded = [
      'com.google.guava:guava:31.1-jre@.(pom.properties)',
      'org.example:app:1.0.0@.(pom.properties)',
      'org.slf4j:slf4j-api:1.7.36@.(pom.properties)',
    ];
    expect(await artifacts(files['app-1.0.0.jar'] as Buffer, 'app-1.0.0.jar')).toEqual({
      found: shaded,
      warnings: [],
    });
    expect(await artifacts(files['launcher.jar'] as Buffer, 'launcher.jar')).toEqual({
      found: shaded,
      warnings: [],
    });
    expect(await artifacts(files['bson-3.6.3.jar'] as Buffer, 'bson-3.6.3.jar')).toEqual({
      found: ['org.mongodb:bson:3.6.3@.(manifest)'],
      warnings: [],
    });
    expect(await artifacts(files['lib64-2.3.jar'] as Buffer, 'lib64-2.3.jar')).toEqual({
      found: ['org.example:lib:2.3@.(pom.properties)'],
      warnings: [],
    });
  });

  itJar('nested archives: jars in a war in an ear (deflated and stored)', async () => {
    expect(await artifacts(files['suite-1.ear'] as Buffer, 'suite-1.ear')).toEqual({
      found: [
        'com.google.guava:guava:31.1-jre@web-5.0.war!/WEB-INF/lib/app-1.0.0.jar(pom.properties)',
        'org.example:app:1.0.0@web-5.0.war!/WEB-INF/lib/app-1.0.0.jar(pom.properties)',
        'org.example:lib:2.3@web-5.0.war!/WEB-INF/lib/lib-2.3.jar(pom.properties)',
        'org.example:web:5.0@web-5.0.war(pom.properties)',
        'org.mongodb:bson:3.6.3@lib/bson-3.6.3.jar(manifest)',
        'org.slf4j:slf4j-api:1.7.36@web-5.0.war!/WEB-INF/lib/app-1.0.0.jar(pom.properties)',
      ],
      warnings: [],
    });
  });

  itJar('cataloged from an image layer: maven purls, the outer file as location', async () => {
    const scanned = await scanLayers(
      [{ 'opt/app/suite-1.ear': files['suite-1.ear'] as Buffer, 'opt/app/README.txt': 'not a jar' }],
      [javaCataloger],
    );
    const { packages, warnings } = catalogImage(scanned, undefined, [javaCataloger]);
    expect(warnings).toEqual([]);
    const layer = scanned.layers[0]?.diffId;
    expect(packages.map((p) => [p.name, p.version, p.purl])).toEqual([
      ['com.google.guava:guava', '31.1-jre', 'pkg:maven/com.google.guava/guava@31.1-jre'],
      ['org.example:app', '1.0.0', 'pkg:maven/org.example/app@1.0.0'],
      ['org.example:lib', '2.3', 'pkg:maven/org.example/lib@2.3'],
      ['org.example:web', '5.0', 'pkg:maven/org.example/web@5.0'],
      ['org.mongodb:bson', '3.6.3', 'pkg:maven/org.mongodb/bson@3.6.3'],
      ['org.slf4j:slf4j-api', '1.7.36', 'pkg:maven/org.slf4j/slf4j-api@1.7.36'],
    ]);
    for (const p of packages) expect(p.locations).toEqual([{ path: 'opt/app/suite-1.ear', layer }]);
  });
});

describe('zip layouts other writers use', () => {
  it('data descriptors with and without signature, zip64 descriptors, stored entries', async () => {
    for (const descriptor of ['signed', 'unsigned'] as const) {
      for (const zip64 of [false, true]) {
        for (const method of ['stored', 'deflated'] as const) {
          const data = writeZip([
            { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n', descriptor, zip64, method },
            { name: 'a/B.class', data: Buffer.alloc(70_000, 7), descriptor, zip64, method },
            {
              name: 'META-INF/maven/g/a/pom.properties',
              data: pomProperties('g', 'a', '1'),
              descriptor,
              zip64,
              method,
            },
          ]);
          expect({ descriptor, zip64, method, ...(await artifacts(data, 'a-1.jar')) }).toEqual({
            descriptor,
            zip64,
            method,
            found: ['g:a:1@.(pom.properties)'],
            warnings: [],
          });
        }
      }
    }
  });

  it('pom.properties syntax: separators, comments, continuations, escapes', async () => {
    const properties =
      '# c\n! c\n  groupId : org.\\\n    example\nartifactId=na\\u006De\nversion   4.0\\=x\n';
    const data = writeZip([{ name: 'META-INF/maven/x/y/pom.properties', data: properties }]);
    expect((await artifacts(data, 'y.jar')).found).toEqual(['org.example:name:4.0=x@.(pom.properties)']);
  });
});

describe('hostile Java archives', () => {
  const small = {
    ...DEFAULT_JAVA_LIMITS,
    maxNestedArchiveBytes: 1024 * 1024,
    maxInflatedBytes: 8 * 1024 * 1024,
  };
  const lib = writeZip([
    { name: 'META-INF/maven/g/lib/pom.properties', data: pomProperties('g', 'lib', '1') },
  ]);

  it('a nested zip bomb is refused at the inflate limit; the rest of the archive is read', async () => {
    const bomb = writeZip([
      // Sizes only after the data (as streaming writers do): the inflate limit is what stops it.
      { name: 'WEB-INF/lib/bomb-1.jar', data: Buffer.alloc(64 * 1024 * 1024), descriptor: 'signed' },
      { name: 'WEB-INF/lib/lib-1.jar', data: lib },
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect(await artifacts(bomb, 'app.war', small)).toEqual({
      found: ['g:lib:1@WEB-INF/lib/lib-1.jar(pom.properties)'],
      warnings: ['WEB-INF/lib/bomb-1.jar: inflates to over 1048576 bytes (a zip bomb?); not read'],
    });
  });

  it('the total inflated for one file is bounded (many medium nested archives)', async () => {
    const medium = writeZip([{ name: 'filler.bin', data: randomBytes(900 * 1024), method: 'stored' }]);
    const entries = Array.from({ length: 12 }, (_, i) => ({
      name: `lib/m${i}.jar`,
      data: medium,
      method: 'stored' as const,
    }));
    const report = await artifacts(
      writeZip([...entries, { name: 'lib/lib-1.jar', data: lib }]),
      'x.ear',
      small,
    );
    expect(report.warnings).toEqual([
      expect.stringMatching(/^lib\/m\d+\.jar: over 8388608 bytes inflated in all; the rest is not read$/),
    ]);
  });

  it('nesting deeper than the limit is reported, the levels above are read', async () => {
    let archive = writeZip([
      { name: 'META-INF/maven/g/level6/pom.properties', data: pomProperties('g', 'level6', '1') },
    ]);
    for (let level = 5; level >= 1; level--) {
      archive = writeZip([
        {
          name: `META-INF/maven/g/level${level}/pom.properties`,
          data: pomProperties('g', `level${level}`, '1'),
        },
        { name: `nested/level${level + 1}.jar`, data: archive },
      ]);
    }
    const report = await artifacts(archive, 'level1.jar');
    expect(report.found).toEqual([
      'g:level1:1@.(pom.properties)',
      'g:level2:1@nested/level2.jar(pom.properties)',
      'g:level3:1@nested/level2.jar!/nested/level3.jar(pom.properties)',
      'g:level4:1@nested/level2.jar!/nested/level3.jar!/nested/level4.jar(pom.properties)',
    ]);
    expect(report.warnings).toEqual([
      'nested/level2.jar!/nested/level3.jar!/nested/level4.jar!/nested/level5.jar: nested more than 3 archives deep; not read',
    ]);
  });

  it('truncated, non-zip and garbage files: a warning, what came before the damage is kept', async () => {
    const whole = writeZip([
      { name: 'META-INF/maven/g/a/pom.properties', data: pomProperties('g', 'a', '1') },
      { name: 'big.bin', data: Buffer.alloc(100_000, 3), method: 'stored' },
    ]);
    expect(await artifacts(whole.subarray(0, 5000), 'a.jar')).toEqual({
      found: ['g:a:1@.(pom.properties)'],
      warnings: ['big.bin: entry data is truncated'],
    });
    expect((await artifacts(Buffer.from('just text, not a zip'), 'b.jar')).warnings).toEqual([
      'not a zip archive (no local file header)',
    ]);
    const garbage = Buffer.concat([whole.subarray(0, 200), Buffer.alloc(300, 0xee)]);
    expect((await artifacts(garbage, 'c.jar')).warnings).toHaveLength(1);
    const badUtf8 = writeZip([
      {
        name: 'META-INF/maven/g/\xff/pom.properties',
        data: Buffer.from('groupId=g\nartifactId=\xff\xfe\nversion=1\n', 'latin1'),
      },
    ]);
    expect((await artifacts(badUtf8, 'd.jar')).found).toEqual(['g:\xff\xfe:1@.(pom.properties)']);
  });

  it('one broken jar in a layer is a warning naming it; the scan goes on', async () => {
    const scanned = await scanLayers(
      [{ 'app/broken.jar': 'PK\x03\x04 truncated', 'app/lib-1.jar': lib }],
      [javaCataloger],
    );
    const { packages, warnings } = catalogImage(scanned, undefined, [javaCataloger]);
    expect(packages.map((p) => p.purl)).toEqual(['pkg:maven/g/lib@1']);
    expect(warnings).toEqual(['app/broken.jar: truncated local file header']);
  });
});

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import { detectOs } from '../../src/inventory/os/detect.js';
import { rpmCataloger } from '../../src/inventory/os/rpm/cataloger.js';
import { readRpmDatabase } from '../../src/inventory/os/rpm/database.js';
import type { RpmHeader } from '../../src/inventory/os/rpm/header.js';
import { osReleaseVisitor } from '../../src/inventory/os/visitor.js';
import { requireIntegration } from '../support/integration.js';
import { scanLayers } from './support/layers.js';
import {
  buildRpmFixtures,
  type RpmFixtures,
  readFixture,
  rpmQuery,
  rpmToolsAvailable,
} from './support/rpm-fixtures.js';

const itRpm = requireIntegration(
  'rpm, rpmbuild and db_load (Debian packages rpm, db-util)',
  rpmToolsAvailable,
);

/** One package as `rpm -qa --qf` prints it with RPM_QUERY_FORMAT. */
const line = (h: RpmHeader): string =>
  [h.name, h.epoch ?? '(none)', h.version, h.release, h.arch, h.sourceRpm || '(none)', h.license]
    .map(String)
    .join('\t');

const lines = (path: string): string[] => readRpmDatabase(readFixture(path)).headers.map(line).sort();

describe('rpm databases made by rpm, read back and compared with rpm -qa', () => {
  let dir: string;
  let fx: RpmFixtures;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cerana-rpm-'));
    if (rpmToolsAvailable) fx = buildRpmFixtures(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  itRpm('SQLite (rpm ≥ 4.16): every package and field as rpm -qa reports it', () => {
    const oracle = rpmQuery(join(fx.dir, 'sqlite'), 'sqlite');
    expect(oracle).toHaveLength(5);
    expect(lines(fx.sqlite)).toEqual(oracle);
    expect(readRpmDatabase(readFixture(fx.sqlite)).format).toBe('sqlite');
  });

  itRpm('Berkeley DB hash, both byte orders: what rpm (bdb_ro) reads from the same file', () => {
    const sqlite = rpmQuery(join(fx.dir, 'sqlite'), 'sqlite');
    for (const path of [fx.bdbLittle, fx.bdbBig]) {
      const oracle = rpmQuery(join(path, '..'), 'bdb_ro');
      expect(oracle).toEqual(sqlite);
      const database = readRpmDatabase(readFixture(path));
      expect(database.format).toBe('bdb');
      expect(database.warnings).toEqual([]);
      expect(database.headers.map(line).sort()).toEqual(oracle);
    }
  });

  itRpm('ndb (written from the same headers; Debian rpm has no ndb backend to ask)', () => {
    const database = readRpmDatabase(readFixture(fx.ndb));
    expect(database.format).toBe('ndb');
    expect(database.warnings).toEqual([]);
    expect(database.headers.map(line).sort()).toEqual(rpmQuery(join(fx.dir, 'sqlite'), 'sqlite'));
  });

  itRpm('file lists equal rpm -ql, for every backend', () => {
    const oracle = rpmQuery(join(fx.dir, 'sqlite'), 'sqlite', '[%{=NAME}\\t%{FILENAMES}\\n]');
    expect(oracle.length).toBeGreaterThan(600);
    for (const path of [fx.sqlite, fx.bdbLittle, fx.bdbBig, fx.ndb]) {
      const ours = readRpmDatabase(readFixture(path)).headers.flatMap((h) =>
        h.files.map((file) => `${h.name}\t/${file}`),
      );
      expect(ours.sort()).toEqual(oracle);
    }
  });

  itRpm('cataloged from image layers: purls, sources, origin layers and owned files', async () => {
    const files = await scanLayers(
      [
        {
          'etc/os-release': 'ID=fedora\nVERSION_ID=40\nPRETTY_NAME="Fedora Linux 40"\n',
          'usr/lib/sysimage/rpm/rpmdb.sqlite': readFixture(fx.sqliteAlpha),
        },
        { 'usr/lib/sysimage/rpm/rpmdb.sqlite': readFixture(fx.sqlite) },
      ],
      [osReleaseVisitor, rpmCataloger],
    );
    const [bottom, top] = files.layers.map((layer) => layer.diffId);
    const os = detectOs(
      (path) => files.read(path),
      (path) => files.stat(path) !== undefined,
    );
    const { packages, warnings } = catalogImage(files, os, [rpmCataloger]);
    expect(warnings).toEqual([]);
    expect(
      packages.map((p) => [p.name, p.version, p.purl, p.source, p.licenses, p.locations[0]?.layer]),
    ).toEqual([
      [
        'cerana-alpha',
        '2:1.2.3-4.fc40',
        'pkg:rpm/fedora/cerana-alpha@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2',
        { name: 'cerana-alpha', version: '2:1.2.3-4.fc40' },
        ['MIT and (BSD or GPLv2+)'],
        bottom,
      ],
      [
        'cerana-alpha-data',
        '2:1.2.3-4.fc40',
        'pkg:rpm/fedora/cerana-alpha-data@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2',
        { name: 'cerana-alpha', version: '2:1.2.3-4.fc40' },
        ['Public Domain'],
        bottom,
      ],
      [
        'cerana-alpha-doc',
        '2:1.2.3-4.fc40',
        'pkg:rpm/fedora/cerana-alpha-doc@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2',
        { name: 'cerana-alpha', version: '2:1.2.3-4.fc40' },
        ['CC-BY-SA'],
        bottom,
      ],
      [
        'cerana-beta',
        '0.9~rc1-1.el9',
        'pkg:rpm/fedora/cerana-beta@0.9~rc1-1.el9?arch=x86_64&distro=fedora-40',
        { name: 'cerana-beta', version: '0.9~rc1-1.el9' },
        ['ASL 2.0'],
        top,
      ],
      [
        'cerana-beta-libs',
        '0.9~rc1-1.el9',
        'pkg:rpm/fedora/cerana-beta-libs@0.9~rc1-1.el9?arch=x86_64&distro=fedora-40',
        { name: 'cerana-beta', version: '0.9~rc1-1.el9' },
        ['ASL 2.0'],
        top,
      ],
    ]);
    const owned = [...(rpmCataloger.catalog(files, {}).ownedFiles ?? [])];
    expect(owned).toContain('usr/lib/python3/site-packages/alpha-1.2.3.dist-info/METADATA');
    expect(owned).toContain('usr/lib64/libbeta.so.1');
  });

  itRpm('truncated or corrupted databases: what can be read is, the rest is a warning', async () => {
    for (const path of [fx.sqlite, fx.bdbLittle, fx.ndb]) {
      const whole = readFixture(path);
      for (const fraction of [0.1, 0.5, 0.9]) {
        const cut = whole.subarray(0, Math.floor(whole.length * fraction));
        let result: ReturnType<typeof readRpmDatabase> | undefined;
        try {
          result = readRpmDatabase(cut);
        } catch (error) {
          expect((error as Error).message).toMatch(/outside|does not fit|truncated|not an|page/);
          continue;
        }
        // Whatever was cut off is reported; a cut through unused pages loses nothing.
        expect(result.headers.length).toBeLessThanOrEqual(5);
        if (result.headers.length < 5) expect(result.warnings.length).toBeGreaterThan(0);
      }
    }
    const files = await scanLayers(
      [
        { 'var/lib/rpm/Packages': readFixture(fx.bdbLittle).subarray(0, 9000) },
        { 'var/lib/rpm/rpmdb.sqlite': Buffer.from('SQLite format 3\0 and then nothing useful') },
      ],
      [rpmCataloger],
    );
    const { warnings } = catalogImage(files, undefined, [rpmCataloger]);
    expect(warnings).toEqual([
      'var/lib/rpm/Packages: ignored: the image also has var/lib/rpm/rpmdb.sqlite',
      'var/lib/rpm/rpmdb.sqlite: truncated: 40 bytes is less than a header',
    ]);
  });
});

/** CentOS 5–8 databases shipped as test data by Debian's golang-github-knqyf263-go-rpmdb-dev. */
const CENTOS_DIR = '/usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg/testdata';
const itCentos = requireIntegration(
  `real CentOS rpm databases (Debian golang-github-knqyf263-go-rpmdb-dev) and rpm`,
  existsSync(CENTOS_DIR) && rpmToolsAvailable,
);

describe('real-world Berkeley DB databases from CentOS images', () => {
  itCentos('every CentOS database reads exactly as rpm (bdb_ro) reads it', () => {
    const dirs = readdirSync(CENTOS_DIR).filter((name) => existsSync(join(CENTOS_DIR, name, 'Packages')));
    expect(dirs.length).toBeGreaterThanOrEqual(8);
    for (const name of dirs) {
      const path = join(CENTOS_DIR, name, 'Packages');
      const oracle = rpmQuery(join(CENTOS_DIR, name), 'bdb_ro').filter((l) => !l.startsWith('gpg-pubkey\t'));
      const database = readRpmDatabase(readFixture(path));
      expect({ name, warnings: database.warnings }).toEqual({ name, warnings: [] });
      const ours = database.headers
        .filter((h) => h.name !== 'gpg-pubkey')
        .map(line)
        .sort();
      expect({ name, packages: ours }).toEqual({ name, packages: oracle });
    }
  });
});

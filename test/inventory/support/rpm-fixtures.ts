/**
 * Real rpm databases for tests, made by Debian's `rpm` tools: packages built with `rpmbuild`
 * from small spec files, installed (`--justdb`) into a SQLite database, exported, and loaded
 * into Berkeley DB hash files with `db_load` (both byte orders). Debian's rpm cannot write
 * ndb, so that file is written here from the same header blobs, following rpm's format.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandWorks } from '../../support/integration.js';

export const rpmToolsAvailable =
  commandWorks('rpm', ['--version']) &&
  commandWorks('rpmbuild', ['--version']) &&
  commandWorks('db_load', ['-V']);

/** Query format giving every field the inventory reads, tab separated. */
export const RPM_QUERY_FORMAT =
  '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\n';

const SPECS: Record<string, string> = {
  alpha: `Name: cerana-alpha
Epoch: 2
Version: 1.2.3
Release: 4.fc40
Summary: alpha
License: MIT and (BSD or GPLv2+)
BuildArch: noarch
%description
alpha
%package doc
Summary: docs
License: CC-BY-SA
%description doc
docs
%package data
Summary: many files, so that the header spans several database pages
License: Public Domain
%description data
data
%install
mkdir -p %{buildroot}/usr/share/alpha/data %{buildroot}/usr/share/doc/alpha %{buildroot}/usr/lib/python3/site-packages/alpha-1.2.3.dist-info
echo alpha > %{buildroot}/usr/share/alpha/alpha.txt
echo 'Metadata-Version: 2.1' > %{buildroot}/usr/lib/python3/site-packages/alpha-1.2.3.dist-info/METADATA
echo doc > %{buildroot}/usr/share/doc/alpha/README
for i in $(seq 1 600); do echo $i > %{buildroot}/usr/share/alpha/data/file-with-a-long-name-$i.dat; done
%files
/usr/share/alpha/alpha.txt
/usr/lib/python3/site-packages/alpha-1.2.3.dist-info
%files doc
/usr/share/doc/alpha
%files data
/usr/share/alpha/data
`,
  beta: `%global debug_package %{nil}
%define __strip /bin/true
Name: cerana-beta
Epoch: 0
Version: 0.9~rc1
Release: 1.el9
Summary: beta
License: ASL 2.0
BuildArch: x86_64
%description
beta
%package libs
Summary: libs
%description libs
libs
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/lib64
echo beta > %{buildroot}/usr/bin/beta
echo lib > %{buildroot}/usr/lib64/libbeta.so.1
%files
/usr/bin/beta
%files libs
/usr/lib64/libbeta.so.1
`,
};

export interface RpmFixtures {
  dir: string;
  /** Databases with the alpha packages only, then alpha + beta. */
  sqliteAlpha: string;
  sqlite: string;
  bdbLittle: string;
  bdbBig: string;
  ndb: string;
}

const run = (command: string, args: string[]): string =>
  execFileSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });

/** `rpm -qa` on a database directory, sorted, one line per package (the oracle). */
export function rpmQuery(dbDir: string, backend: 'sqlite' | 'bdb_ro', format = RPM_QUERY_FORMAT): string[] {
  const out = run('rpm', ['-qa', '--dbpath', dbDir, '--define', `_db_backend ${backend}`, '--qf', format]);
  return out.split('\n').filter(Boolean).sort();
}

export function buildRpmFixtures(dir: string): RpmFixtures {
  const top = join(dir, 'rpmbuild');
  const rpms: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(SPECS)) {
    const specFile = join(dir, `${name}.spec`);
    writeFileSync(specFile, spec);
    run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, specFile]);
    rpms[name] = run('find', [join(top, 'RPMS'), '-name', `cerana-${name}*.rpm`])
      .split('\n')
      .filter(Boolean);
  }
  const install = (db: string, packages: string[]) => {
    mkdirSync(db, { recursive: true });
    const backend = ['--define', '_db_backend sqlite'];
    run('rpm', ['--initdb', '--dbpath', db, ...backend]);
    run('rpm', [
      '-i',
      '--dbpath',
      db,
      ...backend,
      '--nodeps',
      '--justdb',
      '--noscripts',
      '--ignorearch',
      ...packages,
    ]);
    return join(db, 'rpmdb.sqlite');
  };
  const sqliteAlpha = install(join(dir, 'sqlite-alpha'), rpms.alpha ?? []);
  const sqlite = install(join(dir, 'sqlite'), [...(rpms.alpha ?? []), ...(rpms.beta ?? [])]);

  const exported = execFileSync('rpmdb', ['--exportdb', '--dbpath', join(dir, 'sqlite')], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const blobs = splitExport(exported);
  const bdb = (name: string, bigEndian: boolean) => {
    const dump = join(dir, `${name}.dump`);
    writeFileSync(dump, berkeleyDump(blobs, bigEndian));
    mkdirSync(join(dir, name), { recursive: true });
    run('db_load', ['-f', dump, join(dir, name, 'Packages')]);
    return join(dir, name, 'Packages');
  };
  const ndb = join(dir, 'ndb', 'Packages.db');
  mkdirSync(join(dir, 'ndb'), { recursive: true });
  writeFileSync(ndb, writeNdb(blobs));
  return { dir, sqliteAlpha, sqlite, bdbLittle: bdb('bdb-le', false), bdbBig: bdb('bdb-be', true), ndb };
}

/** `rpmdb --exportdb` writes headers with their 8-byte magic; databases store them without. */
function splitExport(data: Buffer): Buffer[] {
  const blobs: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const il = data.readUInt32BE(at + 8);
    const dl = data.readUInt32BE(at + 12);
    const length = 16 + il * 16 + dl;
    blobs.push(data.subarray(at + 8, at + length));
    at += length;
  }
  return blobs;
}

/** db_dump's text format: keys are instance numbers in the database's byte order. */
function berkeleyDump(blobs: Buffer[], bigEndian: boolean): string {
  const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', 'db_pagesize=4096'];
  if (bigEndian) lines.push('db_lorder=4321');
  lines.push('HEADER=END');
  blobs.forEach((blob, i) => {
    const key = Buffer.alloc(4);
    if (bigEndian) key.writeUInt32BE(i + 1);
    else key.writeUInt32LE(i + 1);
    lines.push(` ${key.toString('hex')}`, ` ${blob.toString('hex')}`);
  });
  lines.push('DATA=END');
  return `${lines.join('\n')}\n`;
}

/** An ndb `Packages.db` as rpm's lib/backend/ndb/rpmpkg.c lays it out (one slot page). */
export function writeNdb(blobs: Buffer[]): Buffer {
  const slotPage = Buffer.alloc(4096);
  slotPage.write('RpmP', 0, 'latin1');
  slotPage.writeUInt32LE(0, 4); // version
  slotPage.writeUInt32LE(1, 8); // generation
  slotPage.writeUInt32LE(1, 12); // slot pages
  slotPage.writeUInt32LE(blobs.length + 1, 16); // next package index
  for (let at = 32; at < 4096; at += 16) slotPage.write('Slot', at, 'latin1');
  const areas: Buffer[] = [];
  let block = 4096 / 16;
  blobs.forEach((blob, i) => {
    const blocks = Math.ceil((16 + blob.length + 12) / 16);
    const area = Buffer.alloc(blocks * 16);
    area.write('BlbS', 0, 'latin1');
    area.writeUInt32LE(i + 1, 4);
    area.writeUInt32LE(1_700_000_000, 8);
    area.writeUInt32LE(blob.length, 12);
    blob.copy(area, 16);
    area.writeUInt32LE(adler32(area.subarray(0, area.length - 12)), area.length - 12);
    area.writeUInt32LE(blob.length, area.length - 8);
    area.write('BlbE', area.length - 4, 'latin1');
    const slot = 32 + i * 16;
    slotPage.writeUInt32LE(i + 1, slot + 4);
    slotPage.writeUInt32LE(block, slot + 8);
    slotPage.writeUInt32LE(blocks, slot + 12);
    areas.push(area);
    block += blocks;
  });
  return Buffer.concat([slotPage, ...areas]);
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export const readFixture = (path: string): Buffer => readFileSync(path);

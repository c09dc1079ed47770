#!/usr/bin/env node
/**
 * Vulnerability database benchmark, on the real OSV kit (../shared/osv):
 *  - import: building the database from the four exports, against the floor of reading every
 *    zip entry and JSON.parse-ing it (what any importer must do);
 *  - open: opening the database, on the kit and on a database N times larger (O(1) check);
 *  - lookups/s: `affectedFor` cold (cache off: one indexed query + JSON decode per lookup) and hot
 *    (in-memory map), against the floor of the bare indexed SELECT through the same driver.
 *
 *   npm run build && node bench/vuln-db/run.mjs [--runs 3] [--scale 8] [--kit <dir>]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1] ?? '']] : [])),
);
const runs = Number(args.runs ?? 3);
const scale = Number(args.scale ?? 8);
const kit = resolve(args.kit ?? join(root, '../shared/osv'));

const load = async (path) => {
  try {
    return await import(join(root, 'dist', path));
  } catch (error) {
    console.error(`dist/${path} is missing (${error.message}): run \`npm run build\` first`);
    process.exit(2);
  }
};
const { importDatabase } = await load('vuln/db/update.js');
const { openDatabase } = await load('vuln/db/database.js');
const { DatabaseBuilder } = await load('vuln/db/builder.js');
const { openSqlite } = await load('vuln/db/sqlite.js');
const { readZipRecords } = await load('vuln/osv/records.js');
const { normalizePackageName } = await load('vuln/osv/ecosystem.js');

const work = mkdtempSync(join(tmpdir(), 'cerana-bench-vulndb-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const ecosystems = ['Go', 'Maven', 'PyPI', 'npm'];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(1)} ms`;
const rate = (count, millis) => `${Math.round((count / millis) * 1000).toLocaleString('en-US')}/s`;

async function floorImport() {
  let records = 0;
  for (const ecosystem of ecosystems) {
    for await (const raw of readZipRecords(join(kit, ecosystem, 'all.zip'))) {
      JSON.parse(raw.data.toString('utf8'));
      records++;
    }
  }
  return records;
}

async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { value, millis: performance.now() - start };
}

const zipBytes = ecosystems.reduce((sum, e) => sum + statSync(join(kit, e, 'all.zip')).size, 0);
console.log(
  `node ${process.version}; OSV kit: ${ecosystems.join(', ')} (${(zipBytes / 1e6).toFixed(1)} MB of zips); median of ${runs} runs\n`,
);

// Import
const floorTimes = [];
const importTimes = [];
let records = 0;
let dbPath = '';
for (let run = 0; run < runs; run++) {
  const floor = await timed(floorImport);
  floorTimes.push(floor.millis);
  records = floor.value;
  dbPath = join(work, `kit-${run}.db`);
  importTimes.push((await timed(() => importDatabase(kit, dbPath))).millis);
}
const importMs = median(importTimes);
const floorMs = median(floorTimes);
console.log('import');
console.log(
  `  floor: read + JSON.parse every entry   ${ms(floorMs).padStart(10)}  ${rate(records, floorMs)} records`,
);
console.log(
  `  cerana db import (kit, ${records} records) ${ms(importMs).padStart(10)}  ${rate(records, importMs)} records`,
);
console.log(`  ratio import / floor                  ${(importMs / floorMs).toFixed(2)}x`);
console.log(`  database size                         ${(statSync(dbPath).size / 1e6).toFixed(1)} MB\n`);

// A database `scale` times larger: the kit imported under `scale` source names.
const bigPath = join(work, 'big.db');
const builder = await DatabaseBuilder.create(bigPath);
for (let copy = 0; copy < scale; copy++) {
  for (const ecosystem of ecosystems) {
    await builder.importSource(
      { name: `${ecosystem}-${copy}`, kind: 'bulk', location: `copy-${copy}`, ecosystem },
      readZipRecords(join(kit, ecosystem, 'all.zip')),
    );
  }
}
builder.finish();

// Open
const openTimes = (path) => {
  const times = [];
  return (async () => {
    for (let i = 0; i < 20; i++) {
      const { value, millis } = await timed(() => openDatabase(path));
      value.close();
      times.push(millis);
    }
    return median(times);
  })();
};
const openSmall = await openTimes(dbPath);
const openBig = await openTimes(bigPath);
console.log('open');
console.log(
  `  kit database (${(statSync(dbPath).size / 1e6).toFixed(1)} MB)                ${ms(openSmall).padStart(10)}`,
);
console.log(
  `  ${scale}x database (${(statSync(bigPath).size / 1e6).toFixed(1)} MB)                ${ms(openBig).padStart(10)}`,
);
console.log(`  ratio ${scale}x / kit                        ${(openBig / openSmall).toFixed(2)}x\n`);

// Lookups: every package the manifest names, plus as many names that are not there.
const keys = [];
const seen = new Set();
for (const line of readFileSync(join(kit, 'MANIFEST.tsv'), 'utf8').split('\n')) {
  const [ecosystem, , , names] = line.split('\t');
  for (const name of names?.split(',') ?? []) {
    const key = `${ecosystem}\0${name}`;
    if (!seen.has(key)) {
      seen.add(key);
      keys.push([ecosystem, name]);
    }
  }
}
const misses = keys.map(([ecosystem, name]) => [ecosystem, `${name}-not-there`]);
const lookups = [...keys, ...misses];
const rounds = 5;

async function lookupRate(path, cacheSize) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const db = await openDatabase(path, { cacheSize });
    for (const [ecosystem, name] of lookups) db.affectedFor(ecosystem, name); // fill the cache for the hot case
    const { millis } = await timed(() => {
      for (let round = 0; round < rounds; round++)
        for (const [ecosystem, name] of lookups) db.affectedFor(ecosystem, name);
    });
    db.close();
    times.push(millis);
  }
  return median(times);
}

async function floorRate(path) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const db = await openSqlite(path, { readonly: true });
    const statement = db.prepare(
      'SELECT f.entry, a.id FROM affected f JOIN advisories a ON a.rowid = f.advisory WHERE f.ecosystem = ? AND f.name = ?',
    );
    const normalized = lookups.map(([ecosystem, name]) => [ecosystem, normalizePackageName(ecosystem, name)]);
    const { millis } = await timed(() => {
      for (let round = 0; round < rounds; round++)
        for (const [ecosystem, name] of normalized) statement.all(ecosystem, name);
    });
    db.close();
    times.push(millis);
  }
  return median(times);
}

const total = lookups.length * rounds;
console.log(`lookups (${keys.length} packages named by the kit + ${misses.length} misses, ${rounds} rounds)`);
for (const [label, path] of [
  ['kit', dbPath],
  [`${scale}x`, bigPath],
]) {
  const floor = await floorRate(path);
  const cold = await lookupRate(path, 0);
  const hot = await lookupRate(path, 1_000_000);
  console.log(`  ${label.padEnd(4)} floor: bare indexed SELECT        ${rate(total, floor).padStart(12)}`);
  console.log(
    `  ${label.padEnd(4)} affectedFor cold (cache off)     ${rate(total, cold).padStart(12)}  ${(cold / floor).toFixed(2)}x floor time`,
  );
  console.log(
    `  ${label.padEnd(4)} affectedFor hot (in-memory map)  ${rate(total, hot).padStart(12)}  ${(floor / hot).toFixed(1)}x faster than floor`,
  );
}

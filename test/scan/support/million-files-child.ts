/**
 * Run in its own process (bundled by million-files.test.ts) so its peak RSS is the scan's alone:
 * scans one generated layer of tiny files and prints what it measured as JSON.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { millionFileDiffId, millionFileTar } from '../../../bench/lib/million-files.mjs';
import { scanImage } from '../../../src/image/scan/index.js';
import { generatedLayer, imageOf } from './tar-writer.js';

const files = Number(process.argv[2] ?? 1_000_000);
const diffId = millionFileDiffId({ files });
const layer = generatedLayer(diffId, () => millionFileTar({ files }));
const started = performance.now();
const scanned = await scanImage(
  imageOf([layer]),
  [{ name: 'npm', version: 1, wants: (path) => (path.endsWith('/package.json') ? 'capture' : false) }],
  {},
);
const ms = performance.now() - started;
const last = Math.floor((files - 1) / 1000);
const probe = scanned.get(
  `usr/lib/node_modules/pkg-${String(last).padStart(7, '0')}/lib/file-${String(files - 1).padStart(7, '0')}.js`,
);
const status = readFileSync('/proc/self/status', 'utf8');
const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
console.log(JSON.stringify({ visible: scanned.size, probeSize: probe?.size, peakRssMb: peakKb / 1024, ms }));

/**
 * Scans one generated layer of 1,000,000 tiny files in a process of its own and prints the time
 * and the peak RSS (VmHWM) as JSON. Run by run.mjs; needs `npm run build`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import settings from '../../dist/cli/process-settings.cjs';
import { scanImage } from '../../dist/image/scan/index.js';
import { millionFileDiffId, millionFileTar } from '../lib/million-files.mjs';
import { realisticVisitors } from '../lib/visitors.mjs';

// As the CLI runs (src/cli/process-settings.cts); the pool comes with run.mjs's environment.
settings.tuneV8();
const files = 1_000_000;
const diffId = millionFileDiffId({ files });
const layer = {
  digest: diffId,
  diffId,
  size: -1,
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  open: async () => Readable.from(millionFileTar({ files }), { objectMode: false }),
};
const platform = { os: 'linux', architecture: 'amd64' };
const image = {
  ref: 'bench:million',
  digest: diffId,
  configDigest: diffId,
  repoDigests: [],
  platform,
  config: {
    platform,
    user: '',
    env: [],
    entrypoint: [],
    cmd: [],
    workingDir: '',
    exposedPorts: [],
    volumes: [],
    labels: {},
    history: [],
    diffIds: [diffId],
  },
  layers: [layer],
  close: async () => {},
};
const started = performance.now();
const scanned = await scanImage(image, realisticVisitors(), {});
const ms = performance.now() - started;
const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
console.log(JSON.stringify({ ms, peakRssMb: peakKb / 1024, visible: scanned.size }));

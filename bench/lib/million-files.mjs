/**
 * Generates, chunk by chunk, the tar of a layer holding `files` tiny files spread over
 * directories of `perDir` files each — the shape of a huge node_modules or a Python site-packages
 * tree, and the worst case for a scanner's per-entry cost and memory. Nothing is held in memory
 * beyond one output chunk. Shared by the memory test and the layer-read benchmark.
 */
import { createHash } from 'node:crypto';

const BLOCK = 512;
const CHUNK = 1024 * 1024;

/** @param {{ files?: number, perDir?: number }} [options] */
export function* millionFileTar(options = {}) {
  const files = options.files ?? 1_000_000;
  const perDir = options.perDir ?? 1000;
  const body = Buffer.from('tiny file body\n');
  const fileTemplate = template('0', body.length, 0o644);
  const dirTemplate = template('5', 0, 0o755);
  let out = Buffer.alloc(CHUNK);
  let used = 0;
  const room = (bytes) => {
    if (used + bytes <= CHUNK) return null;
    const full = out.subarray(0, used);
    out = Buffer.alloc(CHUNK);
    used = 0;
    return full;
  };
  for (let i = 0; i < files; i++) {
    if (i % perDir === 0) {
      const full = room(BLOCK);
      if (full) yield full;
      writeHeader(out, used, dirTemplate, `usr/lib/node_modules/pkg-${pad(i / perDir)}/`);
      used += BLOCK;
    }
    const full = room(2 * BLOCK);
    if (full) yield full;
    writeHeader(out, used, fileTemplate, `usr/lib/node_modules/pkg-${pad(i / perDir)}/lib/file-${pad(i)}.js`);
    body.copy(out, used + BLOCK);
    used += 2 * BLOCK;
  }
  const full = room(2 * BLOCK);
  if (full) yield full;
  used += 2 * BLOCK; // end-of-archive marker: two zero blocks
  yield out.subarray(0, used);
}

/** The diffId of the generated layer (one generation pass, hashed). */
export function millionFileDiffId(options = {}) {
  const hash = createHash('sha256');
  for (const chunk of millionFileTar(options)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

function pad(n) {
  return String(Math.floor(n)).padStart(7, '0');
}

function template(type, size, mode) {
  const block = Buffer.alloc(BLOCK);
  block.write(`${mode.toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  block.write('0000000\0', 108, 'latin1');
  block.write('0000000\0', 116, 'latin1');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write(`${(1_700_000_000).toString(8)}\0`, 136, 'latin1');
  block.write(type, 156, 'latin1');
  block.write('ustar\0' + '00', 257, 'latin1');
  let sum = 8 * 0x20; // checksum field counted as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i];
  return { block, sum };
}

function writeHeader(out, at, { block, sum }, name) {
  block.copy(out, at);
  const length = out.write(name, at, 100, 'latin1');
  for (let i = 0; i < length; i++) sum += out[at + i];
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
}

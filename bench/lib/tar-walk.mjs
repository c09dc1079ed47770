/**
 * The least work that still reads a layer: walk the tar headers and skip every body, with no
 * validation and no allocation per entry. This is the floor a layer scanner is measured against.
 * Also indexes an outer (uncompressed) tar such as `docker save` output: name -> byte range.
 */
import { open } from 'node:fs/promises';

/** A push walker: `push(chunk)` for every chunk, then `entries` holds the number of headers seen. */
export function headerWalker() {
  const staging = Buffer.alloc(512);
  let have = 0;
  let skip = 0;
  let done = false;
  const walker = {
    entries: 0,
    push(chunk) {
      let pos = 0;
      while (pos < chunk.length && !done) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - pos);
          pos += n;
          skip -= n;
          continue;
        }
        let block = chunk;
        let at = pos;
        if (have === 0 && chunk.length - pos >= 512) {
          pos += 512;
        } else {
          // A header split across chunks: the only copy the walk ever makes.
          const n = Math.min(512 - have, chunk.length - pos);
          chunk.copy(staging, have, pos, pos + n);
          have += n;
          pos += n;
          if (have < 512) return;
          have = 0;
          block = staging;
          at = 0;
        }
        if (block[at] === 0 && block[at + 124] === 0) {
          done = true; // end-of-archive marker
          return;
        }
        walker.entries++;
        let size = 0;
        for (let i = at + 124; i < at + 136; i++) {
          const c = block[i];
          if (c >= 0x30 && c <= 0x37) size = size * 8 + (c - 0x30);
        }
        const type = block[at + 156];
        skip = type >= 0x31 && type <= 0x36 ? 0 : Math.ceil(size / 512) * 512;
      }
    },
  };
  return walker;
}

/** Name -> { offset, size } of every regular file in an uncompressed tar on disk. */
export async function indexTar(path) {
  const file = await open(path, 'r');
  const members = new Map();
  const header = Buffer.alloc(512);
  let offset = 0;
  let longName;
  try {
    for (;;) {
      const { bytesRead } = await file.read(header, 0, 512, offset);
      if (bytesRead < 512 || header[0] === 0) break;
      const size = Number.parseInt(header.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
      const type = String.fromCharCode(header[156]);
      const name = longName ?? header.toString('utf8', 0, 100).replace(/\0.*$/, '');
      longName = undefined;
      if (type === 'L') {
        const body = Buffer.alloc(size);
        await file.read(body, 0, size, offset + 512);
        longName = body.toString('utf8').replace(/\0.*$/, '');
      } else if (type === '0' || type === '\0') {
        members.set(name.replace(/^\.\//, ''), { offset: offset + 512, size });
      }
      offset += 512 + Math.ceil(size / 512) * 512;
    }
  } finally {
    await file.close();
  }
  return members;
}

/**
 * A realistic visitor set for benchmarks: what the OS and language catalogers capture and what
 * the binary portrait streams (sha256 of every executable file, ELF or not).
 */
import { createHash } from 'node:crypto';

const OS_FILES = new Set([
  'etc/os-release',
  'usr/lib/os-release',
  'etc/debian_version',
  'etc/alpine-release',
]);

export function realisticVisitors() {
  return [
    {
      name: 'os',
      version: 1,
      wants: (path) => (OS_FILES.has(path) ? 'capture' : false),
    },
    {
      name: 'dpkg',
      version: 1,
      wants: (path) =>
        path === 'var/lib/dpkg/status' || path.startsWith('var/lib/dpkg/status.d/') ? 'capture' : false,
    },
    {
      name: 'npm',
      version: 1,
      wants: (path) => (path.endsWith('/package.json') ? 'capture' : false),
    },
    {
      name: 'python',
      version: 1,
      wants: (path) =>
        path.endsWith('.dist-info/METADATA') || path.endsWith('.egg-info/PKG-INFO') ? 'capture' : false,
    },
    {
      name: 'portrait',
      version: 1,
      wants: (_path, header) => ((header.mode & 0o111) !== 0 ? 'stream' : false),
      onStream: async (file) => {
        const hash = createHash('sha256');
        let elf = false;
        let first = true;
        for await (const chunk of file.body) {
          if (first) {
            elf = chunk.length >= 4 && chunk.readUInt32BE(0) === 0x7f454c46;
            first = false;
          }
          hash.update(chunk);
        }
        return [{ kind: 'executable', data: { sha256: hash.digest('hex'), elf } }];
      },
    },
  ];
}

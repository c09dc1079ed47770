import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect } from 'vitest';
import { decompressLayer } from '../../src/image/decompress.js';
import { scanImage } from '../../src/image/scan/index.js';
import type { Layer } from '../../src/image/types.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { imageOf, sha256, tar } from './support/tar-writer.js';

/** A zstd layer written by the real zstd tool (compressed blocks, checksums), scanned end to end. */
describe('a zstd-compressed layer', () => {
  const itZstd = requireIntegration('zstd CLI', commandWorks('zstd', ['--version']));

  itZstd('is decoded and scanned by the pure-JS and by the runtime decoder alike', async () => {
    const files = Array.from({ length: 300 }, (_, i) => ({
      name: `usr/share/doc/pkg-${i}/copyright`,
      body: `Files: *\nCopyright: ${i}\n`.repeat(20 + (i % 50)),
    }));
    const data = tar([...files, { name: 'etc/os-release', body: 'ID=debian\n' }]);
    const compressed = execFileSync('zstd', ['-q', '-c', '-19', '--check'], {
      input: data,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(compressed.length).toBeLessThan(data.length / 5);
    for (const forcePureJsZstd of [true, false]) {
      const layer: Layer = {
        digest: sha256(compressed),
        diffId: sha256(data),
        size: compressed.length,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
        open: () =>
          decompressLayer(Readable.from([compressed.subarray(0, 1000), compressed.subarray(1000)]), {
            forcePureJsZstd,
          }),
      };
      const scanned = await scanImage(imageOf([layer]), [
        { name: 'os', version: 1, wants: (path) => (path === 'etc/os-release' ? 'capture' : false) },
      ]);
      expect(scanned.size).toBe(301);
      expect(scanned.read('etc/os-release')?.toString()).toBe('ID=debian\n');
    }
  });
});

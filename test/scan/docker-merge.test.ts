import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { scanImage } from '../../src/image/scan/index.js';
import { openImage } from '../../src/image/source/index.js';
import { BASE_IMAGE, commandWorks, dockerAvailable, requireIntegration } from '../support/integration.js';

/**
 * The merged view must be the file system Docker itself builds from the layers. The ground truth
 * is `docker export` of a container created from the image (listed by Python's tarfile, an
 * independent tar reader); the layers Cerana merges come from `docker save` of the same image.
 */
const IMAGE = 'cerana-test-scan-merge:latest';
const CONTAINER = `cerana-test-scan-merge-${process.pid}`;

const DOCKERFILE = `FROM ${BASE_IMAGE}
RUN mkdir -p /opt/app/keep /data && echo old > /opt/app/old.js && echo deep > /opt/app/keep/deep.txt \\
 && echo 'PRIVATE KEY' > /etc/secret.key && echo payload > /data/file && ln /data/file /data/hard \\
 && ln -s ../../../../etc/passwd /escape && chmod 4755 /data/file && chown 1234:5678 /data/hard
RUN rm -rf /opt/app && mkdir /opt/app && echo new > /opt/app/new.js && rm /etc/secret.key \\
 && rm -rf /var/cache/apt /usr/share/doc && echo second > /data/file2 && ln /data/file2 /data/hard2
RUN rm -rf /usr/share/man && ln -s /usr/share/info /usr/share/man && echo changed > /etc/hostname.orig
`;

/** Paths Docker adds to every container (mount points and runtime files), not image content. */
const RUNTIME = /^(\.dockerenv|dev(\/.*)?|proc|sys|etc\/(hosts|hostname|resolv\.conf|mtab))$/;

interface Listed {
  path: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
}

describe('merged layers against the container file system Docker builds', () => {
  const ready =
    dockerAvailable &&
    commandWorks('python3', ['--version']) &&
    commandWorks('docker', ['image', 'inspect', BASE_IMAGE]);
  const itDocker = requireIntegration(`Docker with ${BASE_IMAGE}, python3`, ready);
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-merge-'));

  beforeAll(() => {
    if (!ready) return;
    writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
    execFileSync('docker', ['build', '-q', '--network', 'host', '-t', IMAGE, dir], {
      stdio: 'ignore',
      timeout: 300_000,
    });
    execFileSync('docker', ['save', '-o', join(dir, 'image.tar'), IMAGE], { timeout: 300_000 });
    execFileSync('docker', ['create', '--name', CONTAINER, '--network', 'none', IMAGE, 'true'], {
      stdio: 'ignore',
    });
    execFileSync('docker', ['export', '-o', join(dir, 'export.tar'), CONTAINER], { timeout: 300_000 });
  }, 600_000);

  afterAll(() => {
    if (ready) {
      execFileSync('docker', ['rm', '-f', CONTAINER], { stdio: 'ignore' });
      execFileSync('docker', ['rmi', '-f', IMAGE], { stdio: 'ignore' });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  itDocker(
    'sees exactly the files, types, sizes, modes, owners and link targets of the container',
    async () => {
      const script = `
import json, sys, tarfile
out = []
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        kind = 'dir' if m.isdir() else 'symlink' if m.issym() else 'hardlink' if m.islnk() else 'file' if m.isfile() else 'other'
        name = m.name[2:] if m.name.startswith('./') else m.name
        out.append({'path': name.strip('/'), 'type': kind, 'size': m.size if m.isfile() else 0,
                    'mode': m.mode & 0o7777, 'uid': m.uid, 'gid': m.gid, 'linkname': m.linkname})
print(json.dumps(out))
`;
      const exported = JSON.parse(
        execFileSync('python3', ['-c', script, join(dir, 'export.tar')], {
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
        }),
      ) as Listed[];
      const expected = new Map<string, Listed>();
      for (const entry of exported)
        if (entry.path !== '' && !RUNTIME.test(entry.path)) expected.set(entry.path, entry);

      const image = await openImage(`docker-archive:${join(dir, 'image.tar')}`, {
        cacheDir: join(dir, 'cache'),
      });
      try {
        const files = await scanImage(image, [{ name: 'all', version: 1, wants: () => 'capture' }]);
        const actual = new Map<string, Listed>();
        for (const entry of files.entries()) {
          if (RUNTIME.test(entry.path)) continue;
          // docker export writes one of a set of hard links as the file and the others as links to
          // it, in its own walk order; compare what each path holds instead.
          const data = entry.type === 'hardlink' ? files.stat(entry.path) : entry;
          actual.set(entry.path, {
            path: entry.path,
            type: entry.type === 'hardlink' ? 'file' : entry.type,
            size: data?.type === 'file' ? data.size : 0,
            mode: (data ?? entry).mode,
            uid: (data ?? entry).uid,
            gid: (data ?? entry).gid,
            linkname: entry.type === 'symlink' ? entry.linkname : '',
          });
        }
        for (const entry of expected.values()) {
          if (entry.type === 'hardlink') {
            const target = expected.get(entry.linkname);
            Object.assign(entry, {
              type: 'file',
              size: target?.size ?? -1,
              linkname: '',
              mode: target?.mode,
              uid: target?.uid,
              gid: target?.gid,
            });
          }
        }
        const missing = [...expected.keys()].filter((p) => !actual.has(p));
        const extra = [...actual.keys()].filter((p) => !expected.has(p));
        expect({ missing, extra }).toEqual({ missing: [], extra: [] });
        for (const [path, entry] of expected) expect(actual.get(path), path).toEqual(entry);

        // The layers really use both deletion mechanisms.
        expect(files.layers[2]?.opaqueDirs).toContain('opt/app');
        expect(files.layers[2]?.whiteouts).toEqual(
          expect.arrayContaining(['etc/secret.key', 'usr/share/doc']),
        );
        expect(files.get('opt/app/old.js')).toBeUndefined();
        expect(files.read('opt/app/new.js')?.toString()).toBe('new\n');
        expect(files.read('data/hard')?.toString()).toBe('payload\n');
        expect(files.read('escape')?.toString()).toMatch(/^root:x:0:0:/);
        const secret = [...files.capturedFiles()].filter((f) => f.path === 'etc/secret.key');
        expect(secret.map((f) => [f.layerIndex, f.visible, f.data.toString()])).toEqual([
          [1, false, 'PRIVATE KEY\n'],
        ]);
        expect(expected.size).toBeGreaterThan(3000);
      } finally {
        await image.close();
      }
    },
  );
});

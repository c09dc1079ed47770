import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import { databaseStatus, openDatabase } from '../../src/vuln/db/database.js';
import {
  ARTIFACT_TYPE,
  LAYER_MEDIA_TYPE,
  pullDatabase,
  pushDatabase,
} from '../../src/vuln/db/oci/artifact.js';
import { RegistryWriter } from '../../src/vuln/db/oci/registry-writer.js';
import { importDatabase } from '../../src/vuln/db/update.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../support/registry.js';

const KIT = resolve(import.meta.dirname, '../../../shared/osv');
const it = requireIntegration('docker-registry (and htpasswd, openssl)', registryAvailable);
const itZstd = requireIntegration(
  'docker-registry and the zstd CLI',
  registryAvailable && commandWorks('zstd', ['--version']),
);
const nativeZstd =
  typeof (zlib as unknown as { createZstdCompress?: unknown }).createZstdCompress === 'function';

let work: string;
let source: string;
let anonymous: TestRegistry;
let basic: TestRegistry;
let token: TestRegistry;

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const errorOf = (promise: Promise<unknown>): Promise<CeranaError> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as CeranaError,
  );

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cerana-test-vulndb-oci-'));
  source = join(work, 'source.db');
  await importDatabase(KIT, source);
  if (!registryAvailable) return;
  [anonymous, basic, token] = await Promise.all([
    startRegistry(),
    startRegistry({ auth: 'basic' }),
    startRegistry({ auth: 'token' }),
  ]);
});

afterAll(async () => {
  await Promise.all([anonymous?.stop(), basic?.stop(), token?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe('db push / db pull through an OCI registry', () => {
  it('round-trips the database byte for byte and answers lookups after the pull', async () => {
    const ref = `${anonymous.host}/cerana/vulndb:v1`;
    const progress: number[] = [];
    const pushed = await pushDatabase(source, ref, { progress: (bytes) => progress.push(bytes) });
    expect(pushed.reference).toBe(ref);
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(progress.at(-1)).toBe(pushed.compressedSize);
    expect(pushed.compressedSize).toBeLessThan(pushed.size);

    const manifest = JSON.parse(readFileSync(anonymous.blobFile(pushed.digest), 'utf8'));
    expect(manifest).toMatchObject({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: ARTIFACT_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 },
      layers: [{ mediaType: `${LAYER_MEDIA_TYPE}+gzip`, digest: pushed.layerDigest }],
    });

    const target = join(work, 'pulled.db');
    const pulled = await pullDatabase(ref, target);
    expect(pulled.digest).toBe(pushed.digest);
    expect(sha256(target)).toBe(sha256(source));
    expect(pulled.status.records).toBe(7051);
    const db = await openDatabase(target);
    try {
      expect(db.affectedFor('npm', 'axios').map((m) => m.advisoryId)).toContain('GHSA-8hc4-vh64-cxmj');
    } finally {
      db.close();
    }
    // By digest, too; the same content pushes to the same digest again.
    await pullDatabase(`${anonymous.host}/cerana/vulndb@${pushed.digest}`, join(work, 'pinned.db'));
    expect((await pushDatabase(source, ref)).digest).toBe(pushed.digest);
  });

  it('replaces an existing database atomically and leaves nothing behind', async () => {
    const ref = `${anonymous.host}/cerana/vulndb:replace`;
    await pushDatabase(source, ref);
    const dir = mkdtempSync(join(work, 'replace-'));
    const target = join(dir, 'vuln.db');
    await importDatabase(join(KIT, 'Maven/all.zip'), target);
    expect((await databaseStatus(target)).records).toBe(15);
    await pullDatabase(ref, target);
    expect((await databaseStatus(target)).records).toBe(7051);
    expect(readdirSync(dir)).toEqual(['vuln.db']);
  });

  it('pushes and pulls with Basic and with Bearer token authentication', async () => {
    for (const registry of [basic, token]) {
      const credentials = { username: registry.username, password: registry.password };
      const ref = `${registry.host}/cerana/vulndb:auth`;
      const denied = await errorOf(
        pushDatabase(source, ref, { dockerConfigDir: join(work, 'no-docker-config') }),
      );
      expect(denied.code).toBe('AUTH');
      await pushDatabase(source, ref, { credentials });
      const target = join(work, `auth-${registry.auth}.db`);
      const anonymousPull = await errorOf(
        pullDatabase(ref, target, { dockerConfigDir: join(work, 'no-docker-config') }),
      );
      expect(anonymousPull.code).toBe('AUTH');
      expect(existsSync(target)).toBe(false);
      await pullDatabase(ref, target, { credentials });
      expect(sha256(target)).toBe(sha256(source));
    }
  });

  it('takes credentials from the Docker config', async () => {
    const configDir = mkdtempSync(join(work, 'docker-'));
    const auth = Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [basic.host]: { auth } } }));
    const ref = `${basic.host}/cerana/vulndb:config`;
    await pushDatabase(source, ref, { dockerConfigDir: configDir });
    await pullDatabase(ref, join(work, 'config.db'), { dockerConfigDir: configDir });
    expect(sha256(join(work, 'config.db'))).toBe(sha256(source));
  });

  it('refuses an artifact that is not a Cerana database and keeps the current one', async () => {
    const target = join(work, 'keep.db');
    await importDatabase(join(KIT, 'Maven/all.zip'), target);
    const before = sha256(target);
    const writer = new RegistryWriter({ registry: anonymous.host, repository: 'cerana/other' });
    await writer.uploadBlob('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', {
      kind: 'bytes',
      data: Buffer.from('{}'),
    });
    await anonymous.putManifest(
      'cerana/other',
      'sbom',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/spdx+json',
        config: {
          mediaType: 'application/vnd.oci.empty.v1+json',
          digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
          size: 2,
        },
        layers: [],
      },
      'application/vnd.oci.image.manifest.v1+json',
    );
    const error = await errorOf(pullDatabase(`${anonymous.host}/cerana/other:sbom`, target));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toMatch(/not a Cerana vulnerability database \(application\/spdx\+json\)/);
    const missing = await errorOf(pullDatabase(`${anonymous.host}/cerana/nothing:here`, target));
    expect(missing.code).toBe('NOT_FOUND');
    expect(sha256(target)).toBe(before);
  });

  it('refuses a tampered layer and keeps the current database', async () => {
    const ref = `${anonymous.host}/cerana/tampered:v1`;
    const pushed = await pushDatabase(source, ref);
    const blob = anonymous.blobFile(pushed.layerDigest);
    const original = readFileSync(blob);
    const tampered = Buffer.from(original);
    tampered[tampered.length >> 1] = (tampered[tampered.length >> 1] ?? 0) ^ 0xff;
    writeFileSync(blob, tampered);
    try {
      const target = join(work, 'tamper.db');
      await importDatabase(join(KIT, 'Maven/all.zip'), target);
      const before = sha256(target);
      const error = await errorOf(pullDatabase(ref, target));
      expect(error).toBeInstanceOf(CeranaError);
      expect(sha256(target)).toBe(before);
      expect(readdirSync(work).filter((name) => name.startsWith('tamper.db.tmp-'))).toEqual([]);
    } finally {
      writeFileSync(blob, original);
    }
  });

  itZstd('pulls a zstd-compressed database', async () => {
    const compressed = join(work, 'db.zst');
    execFileSync('zstd', ['-q', '-f', '-o', compressed, source]);
    const bytes = readFileSync(compressed);
    const layerDigest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const writer = new RegistryWriter({ registry: anonymous.host, repository: 'cerana/zstd' });
    await writer.uploadBlob('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', {
      kind: 'bytes',
      data: Buffer.from('{}'),
    });
    await writer.uploadBlob(layerDigest, { kind: 'file', path: compressed, size: bytes.length });
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: ARTIFACT_TYPE,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2,
      },
      layers: [{ mediaType: `${LAYER_MEDIA_TYPE}+zstd`, digest: layerDigest, size: bytes.length }],
    };
    await writer.putManifest(
      'v1',
      Buffer.from(JSON.stringify(manifest)),
      'application/vnd.oci.image.manifest.v1+json',
    );
    const target = join(work, 'zstd.db');
    await pullDatabase(`${anonymous.host}/cerana/zstd:v1`, target);
    expect(sha256(target)).toBe(sha256(source));
  });

  it(
    nativeZstd ? 'pushes zstd with the native compressor' : 'explains that zstd push needs a newer Node.js',
    async () => {
      const ref = `${anonymous.host}/cerana/vulndb:zstd`;
      if (!nativeZstd) {
        expect((await errorOf(pushDatabase(source, ref, { compression: 'zstd' }))).code).toBe('UNSUPPORTED');
        return;
      }
      const pushed = await pushDatabase(source, ref, { compression: 'zstd' });
      await pullDatabase(ref, join(work, 'native-zstd.db'));
      expect(sha256(join(work, 'native-zstd.db'))).toBe(sha256(source));
      expect(pushed.compressedSize).toBeLessThan(pushed.size);
    },
  );
});

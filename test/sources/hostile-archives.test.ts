/**
 * Hostile and broken archives and layouts: each must end in one clear CeranaError (or, for
 * content checked while streaming, an error on the layer stream), never a crash or a hang,
 * and nothing may be written anywhere.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CeranaError, type ErrorCode } from '../../src/common/errors.js';
import { openImage } from '../../src/image/source/index.js';
import type { Layer, SourceOptions } from '../../src/image/types.js';
import {
  buildTar,
  configFor,
  file,
  legacyArchiveItems,
  sha256Hex,
  smallLayer,
  symlink,
  tagged,
  writeIndexBlob,
  writeIndexJson,
  writeLayoutImage,
} from './synthetic.js';
import { listTarEntries } from './tar-entries.js';

const work = mkdtempSync(join(tmpdir(), 'cerana-test-hostile-'));
const options: SourceOptions = { cacheDir: join(work, 'cache') };
let dir = '';
let counter = 0;

function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
}

/** Opens `ref` expecting a CeranaError; checks nothing was written meanwhile. */
async function expectError(ref: string, code: ErrorCode, message: RegExp): Promise<CeranaError> {
  const before = tree(work);
  const error = await openImage(ref, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CeranaError);
  expect({ code: (error as CeranaError).code, message: (error as CeranaError).message }).toEqual({
    code,
    message: expect.stringMatching(message),
  });
  expect(tree(work)).toEqual(before);
  return error as CeranaError;
}

/** Reads a layer to its end, returning the error its stream ends with. */
async function streamError(layer: Layer | undefined): Promise<unknown> {
  if (!layer) throw new Error('no such layer');
  return listTarEntries(await layer.open()).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
}

function archive(items: Parameters<typeof buildTar>[0]): string {
  const path = join(dir, `archive-${counter++}.tar`);
  writeFileSync(path, buildTar(items));
  return path;
}

const layerA = smallLayer({ 'etc/os-release': 'ID=test\n', 'bin/app': 'binary' });
const layerB = smallLayer({ 'srv/data.txt': 'data' });

beforeEach(() => {
  dir = join(work, `case-${counter++}`);
  mkdirSync(dir);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('docker-archive: hostile and broken archives', () => {
  it('reads a well-formed synthetic archive (the baseline the other cases break)', async () => {
    const path = archive(legacyArchiveItems([layerA, layerB], ['app:1']));
    const image = await openImage(`docker-archive:${path}`, options);
    expect(image.layers.map((layer) => layer.diffId)).toEqual([
      `sha256:${sha256Hex(layerA)}`,
      `sha256:${sha256Hex(layerB)}`,
    ]);
    expect(
      (await listTarEntries(await (image.layers[1] as (typeof image.layers)[0]).open())).map((e) => e.path),
    ).toEqual(['srv/data.txt']);
  });

  it('refuses entries named with ../ or an absolute path', async () => {
    const base = legacyArchiveItems([layerA], ['app:1']);
    await expectError(
      `docker-archive:${archive([file('../escape.txt', 'x'), ...base])}`,
      'INPUT',
      /outside the archive/,
    );
    await expectError(
      `docker-archive:${archive([file('/etc/cron.d/x', 'x'), ...base])}`,
      'INPUT',
      /outside the archive/,
    );
    await expectError(
      `docker-archive:${archive([file('a/../../b', 'x'), ...base])}`,
      'INPUT',
      /outside the archive/,
    );
  });

  it('refuses a manifest.json that points outside the archive or at nothing', async () => {
    const config = configFor([layerA]);
    const configName = `${sha256Hex(config)}.json`;
    const withManifest = (layers: string[], configPath = configName) =>
      archive([
        file('0/layer.tar', layerA),
        file(configName, config),
        file('manifest.json', JSON.stringify([{ Config: configPath, RepoTags: ['app:1'], Layers: layers }])),
      ]);
    await expectError(`docker-archive:${withManifest(['../../etc/passwd'])}`, 'INPUT', /outside the archive/);
    await expectError(`docker-archive:${withManifest(['/etc/passwd'])}`, 'INPUT', /outside the archive/);
    await expectError(
      `docker-archive:${withManifest(['missing/layer.tar'])}`,
      'INPUT',
      /missing from archive/,
    );
    await expectError(
      `docker-archive:${withManifest(['0/layer.tar'], 'nope.json')}`,
      'INPUT',
      /missing from archive/,
    );
    await expectError(
      `docker-archive:${withManifest(['0/layer.tar', '0/layer.tar'])}`,
      'INPUT',
      /lists 2 layers/,
    );
  });

  it('refuses a layer symlink that leaves the archive or loops', async () => {
    const config = configFor([layerA]);
    const configName = `${sha256Hex(config)}.json`;
    const manifest = file('manifest.json', JSON.stringify([{ Config: configName, Layers: ['1/layer.tar'] }]));
    const escaping = archive([
      file(configName, config),
      symlink('1/layer.tar', '../../../etc/shadow'),
      manifest,
    ]);
    await expectError(`docker-archive:${escaping}`, 'INPUT', /outside the archive/);
    const absolute = archive([file(configName, config), symlink('1/layer.tar', '/etc/shadow'), manifest]);
    await expectError(`docker-archive:${absolute}`, 'INPUT', /outside the archive/);
    const loop = archive([
      file(configName, config),
      symlink('1/layer.tar', '../2/layer.tar'),
      symlink('2/layer.tar', '../1/layer.tar'),
      manifest,
    ]);
    await expectError(`docker-archive:${loop}`, 'INPUT', /link loop/);
  });

  it('follows a layer symlink inside the archive, as docker save writes for shared layers', async () => {
    const config = configFor([layerA, layerA]);
    const configName = `${sha256Hex(config)}.json`;
    const path = archive([
      file('0/layer.tar', layerA),
      symlink('1/layer.tar', '../0/layer.tar'),
      file(configName, config),
      file('manifest.json', JSON.stringify([{ Config: configName, Layers: ['0/layer.tar', '1/layer.tar'] }])),
    ]);
    const image = await openImage(`docker-archive:${path}`, options);
    const entries = await listTarEntries(await (image.layers[1] as (typeof image.layers)[0]).open());
    expect(entries.map((entry) => entry.path)).toEqual(['etc/os-release', 'bin/app']);
  });

  it('refuses a config that is not JSON or does not match its name', async () => {
    const notJson = Buffer.from('this is not json');
    await expectError(
      `docker-archive:${archive([
        file('0/layer.tar', layerA),
        file(`${sha256Hex(notJson)}.json`, notJson),
        file(
          'manifest.json',
          JSON.stringify([{ Config: `${sha256Hex(notJson)}.json`, Layers: ['0/layer.tar'] }]),
        ),
      ])}`,
      'INPUT',
      /invalid image config/,
    );
    const config = configFor([layerA]);
    const wrongName = `${sha256Hex('something else')}.json`;
    await expectError(
      `docker-archive:${archive([
        file('0/layer.tar', layerA),
        file(wrongName, config),
        file('manifest.json', JSON.stringify([{ Config: wrongName, Layers: ['0/layer.tar'] }])),
      ])}`,
      'DIGEST_MISMATCH',
      /does not match its digest/,
    );
  });

  it('refuses a manifest.json that is not what docker save writes', async () => {
    for (const manifest of [
      '{"not":"an array"}',
      '[]',
      '[{"Layers":[]}]',
      'garbage',
      '[{"Config":"x","Layers":[1]}]',
    ]) {
      await expectError(
        `docker-archive:${archive([file('manifest.json', manifest)])}`,
        'INPUT',
        /invalid manifest.json/,
      );
    }
    await expectError(`docker-archive:${archive([file('repositories', '{}')])}`, 'INPUT', /no manifest.json/);
  });

  it('refuses a truncated archive, a non-tar file and an empty one', async () => {
    const path = archive(legacyArchiveItems([layerA, layerB], ['app:1']));
    truncateSync(path, 1800);
    await expectError(`docker-archive:${path}`, 'INPUT', /truncated/);
    const junk = join(dir, 'junk.tar');
    writeFileSync(junk, Buffer.alloc(4096, 0x41));
    await expectError(`docker-archive:${junk}`, 'INPUT', /checksum/);
    const empty = join(dir, 'empty.tar');
    writeFileSync(empty, '');
    await expectError(`docker-archive:${empty}`, 'INPUT', /not a tar archive/);
  });

  it('refuses an extension header too large to hold in memory', async () => {
    const header = buildTar([{ spec: { path: 'x', type: 'file' }, content: Buffer.alloc(0) }]).subarray(
      0,
      512,
    );
    // Retype the entry as a GNU long name of 2 MiB: its body would have to be read into memory.
    const big = 2 * 1024 * 1024;
    header.write('L', 156, 'latin1');
    header.write(`${big.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    header.write('        ', 148, 'latin1');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const path = join(dir, 'pax.tar');
    writeFileSync(path, Buffer.concat([header, Buffer.alloc(big), Buffer.alloc(1024)]));
    await expectError(`docker-archive:${path}`, 'LIMIT', /extension header/);
  });

  it('asks which image when an archive holds several, and lists the tags', async () => {
    const configA = configFor([layerA]);
    const configB = configFor([layerB]);
    const path = archive([
      file('a/layer.tar', layerA),
      file('b/layer.tar', layerB),
      file(`${sha256Hex(configA)}.json`, configA),
      file(`${sha256Hex(configB)}.json`, configB),
      file(
        'manifest.json',
        JSON.stringify([
          { Config: `${sha256Hex(configA)}.json`, RepoTags: ['app:1'], Layers: ['a/layer.tar'] },
          {
            Config: `${sha256Hex(configB)}.json`,
            RepoTags: ['localhost:5000/tools:2'],
            Layers: ['b/layer.tar'],
          },
        ]),
      ),
    ]);
    const several = await expectError(`docker-archive:${path}`, 'USAGE', /holds 2 images/);
    expect(several.hint).toContain('app:1, localhost:5000/tools:2');
    await expectError(`docker-archive:${path}:nope`, 'NOT_FOUND', /no image tagged "nope"/);
    const tools = await openImage(`docker-archive:${path}:localhost:5000/tools:2`, options);
    expect(tools.layers[0]?.diffId).toBe(`sha256:${sha256Hex(layerB)}`);
    const app = await openImage(`docker-archive:${path}:docker.io/library/app:1`, options);
    expect(app.layers[0]?.diffId).toBe(`sha256:${sha256Hex(layerA)}`);
  });

  it('reports a corrupt gzip layer on the layer stream', async () => {
    const gz = gzipSync(layerA);
    gz[gz.length - 8] = (gz[gz.length - 8] ?? 0) ^ 0xff; // the CRC32 of the gzip trailer
    const config = configFor([layerA]);
    const name = `${sha256Hex(gz)}.tar.gz`;
    const path = archive([
      file(name, gz),
      file(`${sha256Hex(config)}.json`, config),
      file('manifest.json', JSON.stringify([{ Config: `${sha256Hex(config)}.json`, Layers: [name] }])),
    ]);
    // Named by the digest of the damaged bytes, so only decompression can notice.
    const image = await openImage(`docker-archive:${path}`, options);
    const error = await streamError(image.layers[0]);
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).message).toMatch(/corrupt gzip/);
  });
});

describe('oci / oci-archive: hostile and broken layouts', () => {
  function layout(images = [{ layers: [layerA], gzip: true }]): { path: string; digests: string[] } {
    const path = join(dir, 'layout');
    const descriptors = images.map((image, i) => tagged(writeLayoutImage(path, image), `t${i}`));
    writeIndexJson(path, descriptors);
    return { path, digests: descriptors.map((d) => d.digest) };
  }

  it('refuses a directory that is not an image layout', async () => {
    await expectError(`oci:${dir}`, 'INPUT', /no oci-layout file/);
    writeFileSync(join(dir, 'oci-layout'), '{}');
    await expectError(`oci:${dir}`, 'INPUT', /imageLayoutVersion/);
  });

  it('refuses a manifest whose bytes do not match its digest', async () => {
    const { path, digests } = layout();
    writeFileSync(join(path, 'blobs', 'sha256', (digests[0] as string).slice(7)), '{"schemaVersion":2}');
    await expectError(`oci:${path}`, 'DIGEST_MISMATCH', /has \d+ bytes|does not match/);
  });

  it('refuses an index that claims to list itself', async () => {
    const hex = sha256Hex('placeholder');
    const path = join(dir, 'layout');
    const self = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex}`, size: -1 };
    let body = '';
    while (body.length !== self.size) {
      self.size = body.length;
      body = JSON.stringify({ schemaVersion: 2, manifests: [self] });
    }
    mkdirSync(join(path, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(path, 'blobs', 'sha256', hex), body);
    expect(JSON.parse(body).manifests[0]).toEqual(self);
    writeIndexJson(path, [self]);
    await expectError(`oci:${path}`, 'DIGEST_MISMATCH', /does not match its digest/);
  });

  it('stops a chain of nested indexes', async () => {
    const path = join(dir, 'layout');
    let top = writeLayoutImage(path, { layers: [layerA] });
    for (let i = 0; i < 9; i++)
      top = writeIndexBlob(path, [{ ...top, platform: { os: 'linux', architecture: 'amd64' } }]);
    writeIndexJson(path, [top]);
    await expectError(`oci:${path}`, 'INPUT', /nest deeper than/);
  });

  it('refuses missing or resized layer blobs, and a blob that is a symlink', async () => {
    const { path } = layout([{ layers: [layerA, layerB], gzip: true }]);
    const blob = (data: Buffer) => join(path, 'blobs', 'sha256', sha256Hex(gzipSync(data)));
    rmSync(blob(layerB));
    await expectError(`oci:${path}`, 'INPUT', /missing from image layout/);
    writeFileSync(blob(layerB), Buffer.concat([gzipSync(layerB), Buffer.from('extra')]));
    await expectError(`oci:${path}`, 'DIGEST_MISMATCH', /declares/);
    rmSync(blob(layerB));
    symlinkSync('/etc/hostname', blob(layerB));
    await expectError(`oci:${path}`, 'INPUT', /missing from image layout/);
  });

  it('fails the layer stream when a blob was altered in place', async () => {
    const { path } = layout([{ layers: [layerA], gzip: true }]);
    const gz = gzipSync(layerA);
    const tampered = gzipSync(smallLayer({ 'etc/os-release': 'ID=evil\n', 'bin/app': 'binary' }));
    expect(tampered.length).toBe(gz.length);
    writeFileSync(join(path, 'blobs', 'sha256', sha256Hex(gz)), tampered);
    const image = await openImage(`oci:${path}`, options);
    const error = await streamError(image.layers[0]);
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).code).toBe('DIGEST_MISMATCH');
  });

  it('refuses an OCI archive with hostile names or a missing blob', async () => {
    const { path } = layout([{ layers: [layerA], gzip: false }]);
    const names = [
      'oci-layout',
      'index.json',
      ...readdirSync(join(path, 'blobs', 'sha256')).map((hex) => `blobs/sha256/${hex}`),
    ];
    const items = names.map((name) => file(name, readFileSync(join(path, name))));
    await expectError(
      `oci-archive:${archive([file('../x', 'x'), ...items])}`,
      'INPUT',
      /outside the archive/,
    );
    const withoutLayer = items.filter((item) => !item.spec.path.endsWith(sha256Hex(layerA)));
    await expectError(`oci-archive:${archive(withoutLayer)}`, 'INPUT', /missing from archive/);
    const good = await openImage(`oci-archive:${archive(items)}:t0`, options);
    expect(good.layers).toHaveLength(1);
  });

  it('names what is available when the tag is wrong or several images are present', async () => {
    const { path } = layout([
      { layers: [layerA], gzip: true },
      { layers: [layerB], gzip: true },
    ]);
    await expectError(`oci:${path}:nope`, 'NOT_FOUND', /no image tagged "nope"/);
    await expectError(`oci:${path}`, 'USAGE', /holds 2 images/);
    expect((await openImage(`oci:${path}:t1`, options)).layers[0]?.diffId).toBe(
      `sha256:${sha256Hex(layerB)}`,
    );
  });
});

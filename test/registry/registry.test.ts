import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { openImage } from '../../src/image/source/index.js';
import {
  DEFAULT_REGISTRY_LIMITS,
  openRegistryImage,
  RegistryClient,
} from '../../src/image/source/registry/index.js';
import type { Image, Layer, ProgressSink, SourceOptions } from '../../src/image/types.js';
import { BASE_IMAGE, dockerAvailable, requireIntegration } from '../support/integration.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../support/registry.js';
import { OCI, OciLayout } from './layout.js';

const run = promisify(execFile);

function imageExists(name: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = dockerAvailable && registryAvailable && imageExists(BASE_IMAGE);
const it = requireIntegration(
  'docker, docker-registry, skopeo, htpasswd, openssl and the base image',
  available,
);

const IMAGE = `cerana-test-registry-src:${process.pid}`;
const REPO = 'cerana/app';

interface DockerInspect {
  Id: string;
  Config: {
    Env: string[];
    User: string;
    Labels: Record<string, string>;
    ExposedPorts: Record<string, unknown>;
  };
  RootFS: { Layers: string[] };
}

let work: string;
let emptyDockerConfig: string;
let layout: OciLayout;
let inspect: DockerInspect;
/** skopeo rewrites the daemon's config into OCI form, so the layout's config digest is the reference. */
let baseConfigDigest: string;
let multi: Awaited<ReturnType<OciLayout['addMultiPlatform']>>;
const registries: TestRegistry[] = [];
let anonymous: TestRegistry;

async function registry(options: Parameters<typeof startRegistry>[0]): Promise<TestRegistry> {
  const started = await startRegistry(options);
  registries.push(started);
  return started;
}

function open(reference: string, options: Partial<SourceOptions> = {}): Promise<Image> {
  return openRegistryImage(reference, { cacheDir: work, dockerConfigDir: emptyDockerConfig, ...options });
}

/** Reads a layer to its end and returns the sha256 of the decompressed tar, which must be its diffID. */
async function tarDigest(layer: Layer): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await layer.open()) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

async function dockerConfig(name: string, config: unknown): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function hostPart(registryHost: string, repository = REPO): string {
  return `${registryHost}/${repository}`;
}

beforeAll(async () => {
  if (!available) return;
  work = await mkdtemp(join(tmpdir(), 'cerana-test-registry-work-'));
  emptyDockerConfig = join(work, 'no-docker-config');
  await mkdir(emptyDockerConfig);
  await run('docker', ['build', '-q', '--network', 'none', '-t', IMAGE, join(import.meta.dirname, 'image')]);
  inspect = (
    JSON.parse((await run('docker', ['image', 'inspect', IMAGE])).stdout) as DockerInspect[]
  )[0] as DockerInspect;
  layout = await OciLayout.fromDaemon(IMAGE, join(work, 'layout'), 'base');
  baseConfigDigest = (await layout.manifest('base')).config.digest;
  multi = await layout.addMultiPlatform('base', 'multi');
  await layout.addZstdTopLayer('base', 'zstd');
  anonymous = await registry({ auth: 'none' });
  await anonymous.push(`oci:${layout.dir}:base`, `${REPO}:1`);
  await anonymous.push(`oci:${layout.dir}:multi`, `${REPO}:multi`, { all: true, preserveDigests: true });
  await anonymous.push(`oci:${layout.dir}:zstd`, `${REPO}:zstd`, { preserveDigests: true });
  await anonymous.push(`oci:${layout.dir}:base`, `${REPO}:docker`, { format: 'v2s2' });
  await anonymous.push(`oci:${layout.dir}:multi`, `${REPO}:docker-multi`, { all: true, format: 'v2s2' });
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.stop()));
  if (work) await rm(work, { recursive: true, force: true });
  if (available) await run('docker', ['rmi', '-f', IMAGE]).catch(() => undefined);
});

describe('registry source, anonymous registry', () => {
  it('opens an image by tag with the config, identity and layers the daemon has', async () => {
    const events: string[] = [];
    const moved = new Map<string, number>();
    const progress: ProgressSink = {
      start: (id, _label, total) => events.push(`start ${id} ${total}`),
      advance: (id, bytes) => moved.set(id, (moved.get(id) ?? 0) + bytes),
      done: (id) => events.push(`done ${id}`),
    };
    const image = await open(`${hostPart(anonymous.host)}:1`, { progress });
    expect(image.ref).toBe(`registry:${hostPart(anonymous.host)}:1`);
    expect(image.configDigest).toBe(baseConfigDigest);
    expect(image.config.diffIds).toEqual(inspect.RootFS.Layers);
    expect(image.config.user).toBe('1000:1000');
    expect(image.config.env).toEqual(inspect.Config.Env);
    expect(image.config.labels).toEqual({ 'org.cerana.test': 'registry' });
    expect(image.config.exposedPorts).toEqual(['8080/tcp']);
    expect(image.config.workingDir).toBe('/srv/cerana');
    expect(image.platform).toMatchObject({ os: 'linux', architecture: 'amd64' });
    const client = new RegistryClient({ registry: anonymous.host, repository: REPO });
    const head = await client.headManifest('1');
    expect(image.digest).toBe(head.digest);
    expect(head.mediaType).toBe(OCI.manifest);
    expect(image.repoDigests).toEqual([`${hostPart(anonymous.host)}@${head.digest}`]);
    expect(image.layers).toHaveLength(3);
    for (const layer of image.layers) expect(await tarDigest(layer)).toBe(layer.diffId);
    for (const layer of image.layers) {
      expect(moved.get(layer.digest)).toBe(layer.size);
      expect(events).toContain(`start ${layer.digest} ${layer.size}`);
      expect(events).toContain(`done ${layer.digest}`);
    }
    await image.close();
  });

  it('is what the scheme dispatcher opens for registry: references', async () => {
    const direct = await open(`${hostPart(anonymous.host)}:1`);
    const dispatched = await openImage(`registry:${hostPart(anonymous.host)}:1`, {
      cacheDir: work,
      dockerConfigDir: emptyDockerConfig,
    });
    expect(dispatched.ref).toBe(direct.ref);
    expect(dispatched.digest).toBe(direct.digest);
    expect(dispatched.config).toEqual(direct.config);
  });

  it('opens the same image by digest', async () => {
    const byTag = await open(`${hostPart(anonymous.host)}:1`);
    const byDigest = await open(`${hostPart(anonymous.host)}@${byTag.digest}`);
    expect(byDigest.digest).toBe(byTag.digest);
    expect(byDigest.config).toEqual(byTag.config);
  });

  it('chooses the platform in a multi-platform index', async () => {
    const reference = `${hostPart(anonymous.host)}:multi`;
    const amd64 = await open(reference);
    expect(amd64.digest).toBe(multi.amd64.digest);
    expect(amd64.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(amd64.repoDigests).toEqual([`${hostPart(anonymous.host)}@${multi.index.digest}`]);
    const arm64 = await open(reference, { platform: { os: 'linux', architecture: 'arm64' } });
    expect(arm64.digest).toBe(multi.arm64.digest);
    expect(arm64.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(arm64.config.diffIds).toEqual(amd64.config.diffIds);
    expect(arm64.layers.map((l) => l.digest)).toEqual(amd64.layers.map((l) => l.digest));
    await expect(open(reference, { platform: { os: 'linux', architecture: 's390x' } })).rejects.toMatchObject(
      {
        code: 'NOT_FOUND',
        hint: expect.stringContaining('linux/amd64, linux/arm64/v8'),
      },
    );
  });

  it('refuses a single-platform image for another --platform', async () => {
    await expect(
      open(`${hostPart(anonymous.host)}:1`, { platform: { os: 'linux', architecture: 'arm64' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('not linux/arm64') });
  });

  it('reads Docker schema 2 manifests and manifest lists', async () => {
    const client = new RegistryClient({ registry: anonymous.host, repository: REPO });
    expect((await client.headManifest('docker')).mediaType).toBe(
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    expect((await client.headManifest('docker-multi')).mediaType).toBe(
      'application/vnd.docker.distribution.manifest.list.v2+json',
    );
    const image = await open(`${hostPart(anonymous.host)}:docker`);
    expect(image.layers.map((l) => l.mediaType)).toEqual(
      Array(3).fill('application/vnd.docker.image.rootfs.diff.tar.gzip'),
    );
    expect(image.config.diffIds).toEqual(inspect.RootFS.Layers);
    expect(await tarDigest(image.layers.at(-1) as Layer)).toBe(image.config.diffIds.at(-1));
    const arm64 = await open(`${hostPart(anonymous.host)}:docker-multi`, {
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    expect(arm64.platform.architecture).toBe('arm64');
  });

  it('reads a zstd-compressed layer', async () => {
    const image = await open(`${hostPart(anonymous.host)}:zstd`);
    const top = image.layers.at(-1) as Layer;
    expect(top.mediaType).toBe(OCI.layerZstd);
    expect(await tarDigest(top)).toBe(top.diffId);
  });

  it('follows nested indexes up to the bound and refuses deeper chains', async () => {
    let below = { mediaType: OCI.index, digest: multi.index.digest, size: multi.index.size };
    for (let level = 2; level <= 4; level++) {
      const document = { schemaVersion: 2, mediaType: OCI.index, manifests: [below] };
      const digest = await anonymous.putManifest(REPO, `nest${level}`, document, OCI.index);
      below = { mediaType: OCI.index, digest, size: Buffer.byteLength(JSON.stringify(document)) };
    }
    const three = await open(`${hostPart(anonymous.host)}:nest3`, {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(three.digest).toBe(multi.arm64.digest);
    await expect(open(`${hostPart(anonymous.host)}:nest4`)).rejects.toMatchObject({
      code: 'INPUT',
      message: expect.stringContaining('nests image indexes deeper than 3 levels'),
    });
  });

  it('reports a missing tag or repository as not found', async () => {
    await expect(open(`${hostPart(anonymous.host)}:nope`)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `manifest nope not found in ${anonymous.host}/${REPO}`,
    });
    await expect(open(`${anonymous.host}/cerana/absent:1`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('registry source, basic auth (htpasswd)', () => {
  let basic: TestRegistry;
  beforeAll(async () => {
    if (!available) return;
    basic = await registry({ auth: 'basic' });
    await basic.push(`oci:${layout.dir}:base`, `${REPO}:1`);
  });

  it('pulls with --username/--password', async () => {
    const image = await open(`${hostPart(basic.host)}:1`, {
      credentials: { username: basic.username, password: basic.password },
    });
    expect(image.configDigest).toBe(baseConfigDigest);
    expect(await tarDigest(image.layers.at(-1) as Layer)).toBe(image.config.diffIds.at(-1));
  });

  it('says how to log in when credentials are missing or wrong', async () => {
    await expect(open(`${hostPart(basic.host)}:1`)).rejects.toMatchObject({
      code: 'AUTH',
      hint: expect.stringContaining(`docker login ${basic.host}`),
    });
    const wrong = open(`${hostPart(basic.host)}:1`, {
      credentials: { username: basic.username, password: 'nope' },
    });
    await expect(wrong).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringContaining(`authentication to ${basic.host} failed`),
      hint: expect.stringContaining('--username/--password'),
    });
    await expect(wrong).rejects.not.toThrow(basic.password);
  });

  it('takes credentials from the docker config auths', async () => {
    const auth = Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
    const dockerConfigDir = await dockerConfig('basic-auths', {
      auths: { [`http://${basic.host}`]: { auth } },
    });
    const image = await open(`${hostPart(basic.host)}:1`, { dockerConfigDir });
    expect(image.configDigest).toBe(baseConfigDigest);
  });

  it('takes credentials from a credsStore helper', async () => {
    const bin = join(work, 'bin-basic');
    await mkdir(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-cerana-test');
    await writeFile(
      helper,
      `#!/bin/sh\nread -r server\n[ "$server" = "${basic.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"${basic.username}","Secret":"${basic.password}"}' "$server"\n`,
    );
    await chmod(helper, 0o755);
    const dockerConfigDir = await dockerConfig('basic-store', { credsStore: 'cerana-test' });
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path}`;
    try {
      const image = await open(`${hostPart(basic.host)}:1`, { dockerConfigDir });
      expect(image.configDigest).toBe(baseConfigDigest);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('registry source, bearer token auth', () => {
  let token: TestRegistry;
  beforeAll(async () => {
    if (!available) return;
    token = await registry({ auth: 'token' });
    await token.push(`oci:${layout.dir}:base`, `${REPO}:1`);
  });

  it('runs the challenge flow once and reuses the token for every blob', async () => {
    const before = token.tokenRequests();
    const image = await open(`${hostPart(token.host)}:1`, {
      credentials: { username: token.username, password: token.password },
    });
    expect(image.configDigest).toBe(baseConfigDigest);
    for (const layer of image.layers.slice(1)) expect(await tarDigest(layer)).toBe(layer.diffId);
    expect(token.tokenRequests() - before).toBe(1);
  });

  it('refuses anonymous and wrong-password pulls with an AUTH error', async () => {
    await expect(open(`${hostPart(token.host)}:1`)).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringContaining('requires authentication'),
    });
    await expect(
      open(`${hostPart(token.host)}:1`, { credentials: { username: token.username, password: 'wrong' } }),
    ).rejects.toMatchObject({ code: 'AUTH', message: expect.stringContaining('failed') });
  });

  it('exchanges a docker config identitytoken (OAuth2 refresh token) for access', async () => {
    const dockerConfigDir = await dockerConfig('token-identity', {
      auths: { [token.host]: { identitytoken: token.refreshToken } },
    });
    const image = await open(`${hostPart(token.host)}:1`, { dockerConfigDir });
    expect(image.configDigest).toBe(baseConfigDigest);
  });

  it('asks a credHelpers entry, which may answer with an identity token', async () => {
    const bin = join(work, 'bin-token');
    await mkdir(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-cerana-test');
    await writeFile(
      helper,
      `#!/bin/sh\nread -r server\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"${token.refreshToken}"}' "$server"\n`,
    );
    await chmod(helper, 0o755);
    const dockerConfigDir = await dockerConfig('token-helper', {
      credHelpers: { [token.host]: 'cerana-test' },
    });
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path}`;
    try {
      const image = await open(`${hostPart(token.host)}:1`, { dockerConfigDir });
      expect(image.configDigest).toBe(baseConfigDigest);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('registry source, blobs redirected to another origin', () => {
  it('follows the redirect without sending the registry credentials along', async () => {
    const redirecting = await registry({ auth: 'basic', redirectBlobs: true });
    await redirecting.push(`oci:${layout.dir}:base`, `${REPO}:1`);
    const image = await open(`${hostPart(redirecting.host)}:1`, {
      credentials: { username: redirecting.username, password: redirecting.password },
    });
    const top = image.layers.at(-1) as Layer;
    expect(await tarDigest(top)).toBe(top.diffId);
    const blobRequests = redirecting.blobServerRequests();
    expect(blobRequests.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(top.digest.slice(7)),
        expect.stringContaining(image.configDigest.slice(7)),
      ]),
    );
    expect(blobRequests.every((r) => !r.authorization)).toBe(true);
  });
});

describe('registry source, hostile registry content', () => {
  let hostile: TestRegistry;
  let genuine: Image;
  beforeAll(async () => {
    if (!available) return;
    hostile = await registry({ auth: 'none' });
    await hostile.push(`oci:${layout.dir}:base`, `${REPO}:1`);
    await hostile.push(`oci:${layout.dir}:zstd`, `${REPO}:zstd`, { preserveDigests: true });
    await hostile.push(`oci:${layout.dir}:multi`, `${REPO}:multi`, { all: true, preserveDigests: true });
    genuine = await open(`${hostPart(hostile.host)}:1`);
  });

  it('fails reading a layer whose bytes were altered', async () => {
    const top = genuine.layers.at(-1) as Layer;
    const file = hostile.blobFile(top.digest);
    const bytes = await readFile(file);
    for (let i = 100; i < 120; i++) bytes[i] = (bytes[i] as number) ^ 0xff;
    await writeFile(file, bytes);
    await expect(tarDigest(top)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('fails reading a layer that was truncated', async () => {
    const image = await open(`${hostPart(hostile.host)}:zstd`);
    const top = image.layers.at(-1) as Layer;
    await truncate(hostile.blobFile(top.digest), Math.floor(top.size / 2));
    await expect(tarDigest(top)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining(`its descriptor declares ${top.size}`),
    });
  });

  it('refuses an altered config', async () => {
    const file = hostile.blobFile(multi.arm64.digest);
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { config: { digest: string } };
    const configFile = hostile.blobFile(manifest.config.digest);
    const config = await readFile(configFile, 'utf8');
    await writeFile(configFile, config.replace('"arm64"', '"arm65"'));
    await expect(
      open(`${hostPart(hostile.host)}:multi`, { platform: { os: 'linux', architecture: 'arm64' } }),
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', message: expect.stringContaining('image config') });
  });

  it('refuses an altered manifest fetched by tag or by digest', async () => {
    const file = hostile.blobFile(genuine.digest);
    const manifest = await readFile(file, 'utf8');
    // Still a valid manifest, just not the one the digest names.
    await writeFile(file, manifest.replace('"schemaVersion":2', '"schemaVersion": 2'));
    await expect(open(`${hostPart(hostile.host)}:1`)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringContaining('manifest 1 does not match'),
    });
    await expect(open(`${hostPart(hostile.host)}@${genuine.digest}`)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  });
});

describe('registry source, transport', () => {
  it('reports a refused connection', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    await expect(open(`127.0.0.1:${port}/x/y:1`)).rejects.toMatchObject({
      code: 'NETWORK',
      message: `connection refused by https://127.0.0.1:${port}`,
    });
  });

  it('times out on a registry that never answers', async () => {
    const server: Server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const started = Date.now();
      await expect(
        openRegistryImage(
          `127.0.0.1:${port}/x/y:1`,
          { cacheDir: work, dockerConfigDir: emptyDockerConfig },
          { ...DEFAULT_REGISTRY_LIMITS, timeoutMs: 300 },
        ),
      ).rejects.toMatchObject({
        code: 'NETWORK',
        message: expect.stringContaining('timed out after 300 ms'),
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('times out on a download that stalls midway', async () => {
    const server: Server = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': OCI.manifest, 'Content-Length': '1000' });
      response.write('{"schemaVersion":2,');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(
        openRegistryImage(
          `127.0.0.1:${port}/x/y:1`,
          { cacheDir: work, dockerConfigDir: emptyDockerConfig },
          { ...DEFAULT_REGISTRY_LIMITS, timeoutMs: 300 },
        ),
      ).rejects.toMatchObject({
        code: 'NETWORK',
        message: expect.stringContaining('timed out after 300 ms reading'),
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not time out while the consumer is busy', async () => {
    const image = await openRegistryImage(
      `${hostPart(anonymous.host)}:1`,
      { cacheDir: work, dockerConfigDir: emptyDockerConfig },
      { ...DEFAULT_REGISTRY_LIMITS, timeoutMs: 300 },
    );
    const base = image.layers[0] as Layer;
    const hash = createHash('sha256');
    let chunks = 0;
    let pauses = 0;
    for await (const chunk of await base.open()) {
      hash.update(chunk as Buffer);
      // Stall three times, well past the timeout, as a scanner parsing a big file would.
      chunks++;
      if (chunks === 5 || chunks === 50 || chunks === 100) {
        pauses++;
        await new Promise((resolve) => setTimeout(resolve, 800));
      }
    }
    expect(pauses).toBe(3);
    expect(`sha256:${hash.digest('hex')}`).toBe(base.diffId);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;

  (external ? it : it.skip)('uses plain HTTP for a non-loopback registry only with --insecure', async () => {
    const remote = await registry({ auth: 'none', address: external as string });
    await remote.push(`oci:${layout.dir}:base`, `${REPO}:1`);
    await expect(open(`${hostPart(remote.host)}:1`)).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringContaining('does not answer HTTPS'),
      hint: expect.stringContaining('--insecure'),
    });
    const image = await open(`${hostPart(remote.host)}:1`, { insecure: true });
    expect(image.configDigest).toBe(baseConfigDigest);
  });
});

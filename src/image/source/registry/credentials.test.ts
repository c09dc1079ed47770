import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialServerAddress, findDockerCredentials, runCredentialHelper } from './credentials.js';

/**
 * A real credential helper speaking the docker-credential-helpers protocol: the server address
 * on stdin, JSON on stdout, "credentials not found" with exit 1 when it has nothing.
 */
const HELPER = `#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
echo "$server" >> "$CERANA_TEST_HELPER_LOG"
case "$server" in
  registry.example:5000) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hub-user","Secret":"hub-secret"}' "$server" ;;
  sso.example) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-123"}' "$server" ;;
  broken.example) echo "keychain locked"; exit 1 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

let dir: string;
let log: string;
const originalPath = process.env.PATH;

async function configDir(name: string, config: unknown): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

const basic = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cerana-test-creds-'));
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'docker-credential-cerana-test'), HELPER);
  await chmod(join(bin, 'docker-credential-cerana-test'), 0o755);
  log = join(dir, 'helper.log');
  process.env.CERANA_TEST_HELPER_LOG = log;
  process.env.PATH = `${bin}${delimiter}${originalPath}`;
});

afterAll(async () => {
  process.env.PATH = originalPath;
  await rm(dir, { recursive: true, force: true });
});

describe('docker config credentials', () => {
  it('decodes auths entries, matching keys written with a scheme or path', async () => {
    const config = await configDir('auths', {
      auths: {
        'https://registry.example:5000/v2/': { auth: basic('alice', 'pa:ss') },
        'https://index.docker.io/v1/': { auth: basic('hubby', 'secret') },
        'ghcr.io': { identitytoken: 'id-token' },
      },
    });
    expect(await findDockerCredentials('registry.example:5000', config)).toEqual({
      kind: 'basic',
      username: 'alice',
      password: 'pa:ss',
    });
    expect(await findDockerCredentials('docker.io', config)).toMatchObject({ username: 'hubby' });
    expect(await findDockerCredentials('ghcr.io', config)).toEqual({
      kind: 'identity-token',
      token: 'id-token',
    });
    expect(await findDockerCredentials('quay.io', config)).toBeUndefined();
  });

  it('returns nothing without a config file and explains a broken one', async () => {
    expect(await findDockerCredentials('quay.io', join(dir, 'missing'))).toBeUndefined();
    const broken = await configDir('broken', '{ not json');
    await expect(findDockerCredentials('quay.io', broken)).rejects.toMatchObject({ code: 'INPUT' });
    const badAuth = await configDir('bad-auth', {
      auths: { 'quay.io': { auth: basic('nocolon', '').slice(0, 4) } },
    });
    await expect(findDockerCredentials('quay.io', badAuth)).rejects.toThrow(/malformed "auth"/);
  });

  it('asks a per-registry credHelper with the server address on stdin', async () => {
    const config = await configDir('helpers', {
      auths: { 'registry.example:5000': { auth: basic('file-user', 'file-pass') } },
      credHelpers: { 'registry.example:5000': 'cerana-test', 'sso.example': 'cerana-test' },
    });
    expect(await findDockerCredentials('registry.example:5000', config)).toEqual({
      kind: 'basic',
      username: 'helper-user',
      password: 'helper-secret',
    });
    expect(await findDockerCredentials('sso.example', config)).toEqual({
      kind: 'identity-token',
      token: 'refresh-123',
    });
    expect((await readFile(log, 'utf8')).split('\n')).toEqual(
      expect.arrayContaining(['registry.example:5000', 'sso.example']),
    );
  });

  it('uses the credsStore for every registry, Docker Hub under its v1 address, then falls back to auths', async () => {
    const config = await configDir('store', {
      credsStore: 'cerana-test',
      auths: { 'other.example': { auth: basic('file-user', 'file-pass') } },
    });
    expect(await findDockerCredentials('docker.io', config)).toMatchObject({ username: 'hub-user' });
    expect(await findDockerCredentials('other.example', config)).toMatchObject({ username: 'file-user' });
    expect(await findDockerCredentials('nothing.example', config)).toBeUndefined();
  });

  it('reports a failing or missing helper without leaking anything but its message', async () => {
    await expect(runCredentialHelper('cerana-test', 'broken.example')).rejects.toThrow(
      'credential helper docker-credential-cerana-test failed: keychain locked',
    );
    await expect(runCredentialHelper('cerana-test-absent', 'x.example')).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringContaining('not installed'),
    });
    await expect(runCredentialHelper('../../bin/sh', 'x.example')).rejects.toThrow(
      /invalid credential helper name/,
    );
  });

  it('files Docker Hub credentials under the historic index address', () => {
    expect(credentialServerAddress('docker.io')).toBe('https://index.docker.io/v1/');
    expect(credentialServerAddress('localhost:5000')).toBe('localhost:5000');
  });
});

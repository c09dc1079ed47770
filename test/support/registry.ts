import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { createReadStream, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { commandWorks } from './integration.js';

/**
 * A real `docker-registry` (distribution 2.x, Debian package `docker-registry`) on a free loopback
 * port with its storage in a temp dir, for integration tests. Auth modes:
 * - `none`: anonymous pull and push;
 * - `basic`: htpasswd (bcrypt) with a generated user and password;
 * - `token`: distribution's token auth (Bearer challenge), backed by a small token server in this
 *   process that checks the same user/password (or a refresh token) and signs RS256 JWTs with a
 *   throw-away self-signed certificate the registry trusts.
 * `redirectBlobs` puts the blobs behind a second origin (distribution's `redirect` storage
 * middleware plus a static file server over the storage dir), like registries backed by S3/CDN.
 */

const run = promisify(execFile);
const REGISTRY_BINARY = '/usr/bin/docker-registry';
const SERVICE = 'cerana-test-registry';
const ISSUER = 'cerana-test-issuer';

export const registryAvailable =
  commandWorks(REGISTRY_BINARY, ['--version']) &&
  commandWorks('skopeo', ['--version']) &&
  commandWorks('openssl', ['version']) &&
  commandWorks('htpasswd', ['-nbB', 'probe', 'probe']);

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  redirectBlobs?: boolean;
  /** IPv4 address the registry listens on (default 127.0.0.1); tests of non-loopback rules use another. */
  address?: string;
}

export interface BlobServerRequest {
  path: string;
  /** Whether the request carried an Authorization header (it must not, crossing origins). */
  authorization: boolean;
}

export interface PushOptions {
  /** Copy every image of an index (`--all`). */
  all?: boolean;
  /** Fail rather than change any digest (`--preserve-digests`). */
  preserveDigests?: boolean;
  /** Manifest format to write: `v2s2` converts to Docker media types (`--format`). */
  format?: 'oci' | 'v2s2';
}

export interface TestRegistry {
  /** `<address>:<port>`: the registry part of image references. */
  readonly host: string;
  /** `http://<address>:<port>` */
  readonly url: string;
  readonly auth: RegistryAuth;
  /** Empty for `auth: 'none'`. */
  readonly username: string;
  readonly password: string;
  /** Token auth only: an OAuth2 refresh token the token server accepts (Docker's `identitytoken`). */
  readonly refreshToken: string;
  /** The registry's filesystem storage root. */
  readonly storageDir: string;
  /** Token auth only: how many tokens were requested so far. */
  tokenRequests(): number;
  /** redirectBlobs only: requests that reached the blob server. */
  blobServerRequests(): BlobServerRequest[];
  /** Where the registry stores a blob's bytes (tests corrupt blobs through it). */
  blobFile(digest: string): string;
  /** Uploads a manifest or index as is (documents skopeo will not write, such as nested indexes); returns its digest. */
  putManifest(repository: string, reference: string, document: unknown, mediaType: string): Promise<string>;
  /** `skopeo copy <source> docker://<host>/<destination>` with this registry's credentials. */
  push(source: string, destination: string, options?: PushOptions): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: Server, address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function freePort(address: string): Promise<number> {
  const server = createServer();
  const port = await listen(server, address);
  await close(server);
  return port;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface TokenIssuer {
  server: Server;
  port: number;
  certFile: string;
  requests: () => number;
  /** Signs a token directly, for the harness's own pushes. */
  issue: (scopes: string[], subject: string) => string;
}

/** Parses `Authorization: Basic ...`; undefined when absent or malformed. */
function basicCredentials(request: IncomingMessage): [string, string] | undefined {
  const value = request.headers.authorization ?? '';
  if (!value.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(value.slice(6), 'base64').toString();
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function readRequestBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

/** A token server per distribution's token auth spec: JWT with `x5c` chaining to the registry's rootcertbundle. */
async function startTokenIssuer(dir: string, username: string, password: string, refreshToken: string) {
  const keyFile = join(dir, 'token-key.pem');
  const certFile = join(dir, 'token-cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=cerana-test-token-issuer',
  ]);
  const key = await readFile(keyFile, 'utf8');
  const certDer = new X509Certificate(await readFile(certFile)).raw.toString('base64');
  let requests = 0;

  const issue = (scopes: string[], subject: string): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop();
      // Anonymous callers get a token without any access: the registry then refuses them.
      return type && actions && subject ? [{ type, name: rest.join(':'), actions: actions.split(',') }] : [];
    });
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
    const claims = base64url(
      JSON.stringify({
        iss: ISSUER,
        sub: subject,
        aud: SERVICE,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signer = createSign('RSA-SHA256');
    signer.update(`${header}.${claims}`);
    return `${header}.${claims}.${base64url(signer.sign(key))}`;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    requests++;
    const url = new URL(request.url ?? '/', 'http://localhost');
    let subject = '';
    let scopes = url.searchParams.getAll('scope');
    if (request.method === 'POST') {
      const form = new URLSearchParams(await readRequestBody(request));
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken) {
        response.writeHead(401).end('{"error":"invalid_grant"}');
        return;
      }
      subject = username;
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    } else {
      const given = basicCredentials(request);
      if (given) {
        if (given[0] !== username || given[1] !== password) {
          response
            .writeHead(401, { 'Content-Type': 'application/json' })
            .end('{"details":"bad credentials"}');
          return;
        }
        subject = username;
      }
    }
    const token = issue(scopes, subject);
    response
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(
        JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
      );
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });
  const port = await listen(server);
  return { server, port, certFile, requests: () => requests, issue } satisfies TokenIssuer;
}

/** Serves files under `root` read-only, as blob storage behind a redirect does. */
async function startBlobServer(
  root: string,
  log: BlobServerRequest[],
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    log.push({ path, authorization: request.headers.authorization !== undefined });
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    stat(file).then(
      (info) => {
        response.writeHead(200, { 'Content-Length': info.size, 'Content-Type': 'application/octet-stream' });
        if (request.method === 'HEAD') response.end();
        else createReadStream(file).pipe(response);
      },
      () => response.writeHead(404).end(),
    );
  });
  return { server, port: await listen(server) };
}

function registryConfig(storageDir: string, listen: string, auth: string, middleware: string): string {
  return `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storageDir}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: ${listen}
  secret: ${randomBytes(16).toString('hex')}
${auth}${middleware}`;
}

async function waitUntilServing(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill();
  const log = await readFile(logFile, 'utf8').catch(() => '');
  throw new Error(`docker-registry did not start on ${url}:\n${log.slice(-2000)}`);
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const dir = await mkdtemp(join(tmpdir(), 'cerana-test-registry-'));
  const storageDir = join(dir, 'storage');
  const username = auth === 'none' ? '' : 'cerana';
  const password = auth === 'none' ? '' : randomBytes(12).toString('hex');
  const refreshToken = auth === 'token' ? randomBytes(16).toString('hex') : '';
  const servers: Server[] = [];
  const blobLog: BlobServerRequest[] = [];
  let tokenIssuer: TokenIssuer | undefined;

  let authSection = '';
  if (auth === 'basic') {
    const htpasswdFile = join(dir, 'htpasswd');
    const { stdout } = await run('htpasswd', ['-Bbn', username, password]);
    await writeFile(htpasswdFile, stdout);
    authSection = `auth:\n  htpasswd:\n    realm: cerana-test\n    path: ${htpasswdFile}\n`;
  } else if (auth === 'token') {
    tokenIssuer = await startTokenIssuer(dir, username, password, refreshToken);
    servers.push(tokenIssuer.server);
    authSection = `auth:
  token:
    realm: http://127.0.0.1:${tokenIssuer.port}/token
    service: ${SERVICE}
    issuer: ${ISSUER}
    rootcertbundle: ${tokenIssuer.certFile}
`;
  }
  let middleware = '';
  if (options.redirectBlobs) {
    const blobs = await startBlobServer(storageDir, blobLog);
    servers.push(blobs.server);
    middleware = `middleware:\n  storage:\n    - name: redirect\n      options:\n        baseurl: http://127.0.0.1:${blobs.port}\n`;
  }

  const address = options.address ?? '127.0.0.1';
  const port = await freePort(address);
  const host = `${address}:${port}`;
  const url = `http://${host}`;
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, registryConfig(storageDir, host, authSection, middleware));
  const logFile = join(dir, 'registry.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(REGISTRY_BINARY, ['serve', configFile], { stdio: ['ignore', logFd, logFd] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilServing(url, child, logFile);
  } catch (error) {
    await Promise.all(servers.map(close));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  return {
    host,
    url,
    auth,
    username,
    password,
    refreshToken,
    storageDir,
    tokenRequests: () => tokenIssuer?.requests() ?? 0,
    blobServerRequests: () => [...blobLog],
    blobFile(digest: string): string {
      const hex = digest.replace(/^sha256:/, '');
      if (!/^[a-f0-9]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
      return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    async putManifest(repository, reference, document, mediaType) {
      const body = JSON.stringify(document);
      const headers: Record<string, string> = { 'Content-Type': mediaType };
      if (auth === 'basic') {
        headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      } else if (tokenIssuer) {
        headers.Authorization = `Bearer ${tokenIssuer.issue([`repository:${repository}:pull,push`], username)}`;
      }
      const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
        method: 'PUT',
        headers,
        body,
      });
      if (response.status !== 201) {
        throw new Error(
          `PUT manifest ${repository}:${reference}: HTTP ${response.status} ${await response.text()}`,
        );
      }
      return response.headers.get('docker-content-digest') ?? '';
    },
    async push(source, destination, pushOptions = {}) {
      const args = ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false'];
      if (auth === 'none') args.push('--dest-no-creds');
      else args.push('--dest-creds', `${username}:${password}`);
      if (pushOptions.all) args.push('--all');
      if (pushOptions.preserveDigests) args.push('--preserve-digests');
      if (pushOptions.format) args.push('--format', pushOptions.format);
      args.push(source, `docker://${host}/${destination}`);
      await run('skopeo', args, { maxBuffer: 16 * 1024 * 1024 });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await Promise.all(servers.map(close));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import { createReadStream } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as plainRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { isDigest } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import { isLoopbackHost, registryApiHost } from '../../../image/reference.js';
import { Authenticator, type Transport } from '../../../image/source/registry/auth.js';
import {
  findDockerCredentials,
  type RegistryCredentials,
} from '../../../image/source/registry/credentials.js';
import type { Credentials } from '../../../image/types.js';

/**
 * The write half of the OCI distribution API that `db push` needs: check a blob, upload it in
 * one PUT, put a manifest. Authentication (Basic, Bearer token flow, Docker config and
 * credential helpers) is the image registry client's, asked for `pull,push` scope; like that
 * client, plain HTTP is used only for loopback registries or with `insecure`.
 */

export interface RegistryWriterOptions {
  registry: string;
  repository: string;
  credentials?: Credentials;
  dockerConfigDir?: string;
  insecure?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

type Body =
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'file'; path: string; size: number; onBytes?: (n: number) => void };

const MAX_REPLY_TEXT = 64 * 1024;
const TLS_FAILURE = /^(EPROTO|ERR_SSL_|ECONNRESET$)/;

export class RegistryWriter {
  private readonly host: string;
  private readonly transport: Transport;
  private readonly authenticator: Authenticator;
  private readonly scope: string;
  private protocol: 'https:' | 'http:' | undefined;

  constructor(private readonly options: RegistryWriterOptions) {
    this.host = registryApiHost(options.registry);
    this.scope = `repository:${options.repository}:pull,push`;
    this.transport = {
      insecure: options.insecure === true,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const explicit = options.credentials;
    const load = async (): Promise<RegistryCredentials | undefined> =>
      explicit
        ? { kind: 'basic', username: explicit.username, password: explicit.password }
        : findDockerCredentials(options.registry, options.dockerConfigDir);
    this.authenticator = new Authenticator(options.registry, this.transport, load);
  }

  async blobExists(digest: string): Promise<boolean> {
    const reply = await this.request('HEAD', this.path(`blobs/${digest}`), {});
    if (reply.status === 200) return true;
    if (reply.status === 404) return false;
    return this.fail(reply, `blob ${digest}`);
  }

  /** Uploads a blob unless the registry has it already (monolithic upload: POST, then one PUT). */
  async uploadBlob(digest: string, body: Body): Promise<void> {
    if (!isDigest(digest)) throw new CeranaError('INTERNAL', `not a digest: ${digest}`);
    if (await this.blobExists(digest)) return;
    const started = await this.request('POST', this.path('blobs/uploads/'), { 'Content-Length': '0' });
    const location = started.headers.location;
    if (started.status !== 202 || typeof location !== 'string') return this.fail(started, 'blob upload');
    const target = new URL(location, `${this.protocol}//${this.host}`);
    target.searchParams.set('digest', digest);
    const size = body.kind === 'bytes' ? body.data.length : body.size;
    const done = await this.request(
      'PUT',
      target,
      { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      body,
    );
    if (done.status !== 201) return this.fail(done, `blob ${digest}`);
  }

  /** Puts a manifest under a tag; returns the digest the registry computed. */
  async putManifest(reference: string, document: Buffer, mediaType: string): Promise<string | undefined> {
    const reply = await this.request(
      'PUT',
      this.path(`manifests/${reference}`),
      { 'Content-Type': mediaType, 'Content-Length': String(document.length) },
      { kind: 'bytes', data: document },
    );
    if (reply.status !== 201) return this.fail(reply, `manifest ${reference}`);
    const digest = reply.headers['docker-content-digest'];
    return typeof digest === 'string' && isDigest(digest) ? digest : undefined;
  }

  private path(rest: string): string {
    return `/v2/${this.options.repository}/${rest}`;
  }

  /** One request, answering a 401 challenge once; the body is re-sent after a challenge. */
  private async request(
    method: string,
    target: string | URL,
    headers: Record<string, string>,
    body?: Body,
  ): Promise<Reply> {
    const withAuth = { ...headers };
    const early = await this.authenticator.authorizationFor(this.scope);
    if (early) withAuth.Authorization = early;
    let reply = await this.send(method, target, withAuth, body);
    if (reply.status === 401) {
      withAuth.Authorization = await this.authenticator.respond(
        header(reply.headers, 'www-authenticate'),
        this.scope,
      );
      reply = await this.send(method, target, withAuth, body);
    }
    if (reply.status === 401 || reply.status === 403) {
      const refused = this.authenticator.refused(reply.status, `${this.options.repository}`);
      throw new CeranaError('AUTH', refused.message, {
        hint: 'the account needs push permission for this repository',
      });
    }
    return reply;
  }

  private async send(
    method: string,
    target: string | URL,
    headers: Record<string, string>,
    body?: Body,
  ): Promise<Reply> {
    if (target instanceof URL) return this.exchange(method, target, headers, body);
    if (this.protocol)
      return this.exchange(method, new URL(`${this.protocol}//${this.host}${target}`), headers, body);
    try {
      const reply = await this.exchange(method, new URL(`https://${this.host}${target}`), headers, body);
      this.protocol = 'https:';
      return reply;
    } catch (error) {
      const code = (error as { cause?: NodeJS.ErrnoException }).cause?.code ?? '';
      const plainAllowed = this.transport.insecure || isLoopbackHost(this.host);
      if (!TLS_FAILURE.test(code) || !plainAllowed) throw error;
      const reply = await this.exchange(method, new URL(`http://${this.host}${target}`), headers, body);
      this.protocol = 'http:';
      return reply;
    }
  }

  private exchange(method: string, url: URL, headers: Record<string, string>, body?: Body): Promise<Reply> {
    const where = `${url.protocol}//${url.host}${url.pathname}`;
    return new Promise((resolve, reject) => {
      const options = {
        method,
        headers: { 'User-Agent': 'cerana', ...headers },
        timeout: this.transport.timeoutMs,
        ...(this.transport.signal ? { signal: this.transport.signal } : {}),
      };
      const req =
        url.protocol === 'https:'
          ? tlsRequest(url, {
              ...options,
              rejectUnauthorized: !(this.transport.insecure || isLoopbackHost(this.host)),
            })
          : plainRequest(url, options);
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.transport.timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        this.transport.signal?.throwIfAborted();
        reject(new CeranaError('NETWORK', `${method} ${where} failed: ${error.message}`, { cause: error }));
      });
      req.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < MAX_REPLY_TEXT) text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
        response.on('error', reject);
      });
      if (body === undefined) {
        req.end();
      } else if (body.kind === 'bytes') {
        req.end(body.data);
      } else {
        const stream: Readable = createReadStream(body.path);
        if (body.onBytes) {
          const onBytes = body.onBytes;
          stream.on('data', (chunk: Buffer | string) => onBytes(chunk.length));
        }
        stream.on('error', (error) => req.destroy(error));
        stream.pipe(req);
      }
    });
  }

  private fail(reply: Reply, what: string): never {
    let detail = '';
    try {
      const first = (JSON.parse(reply.text) as { errors?: { code?: unknown; message?: unknown }[] })
        .errors?.[0];
      if (first) detail = `: ${String(first.code ?? '')} ${String(first.message ?? '')}`.trimEnd();
    } catch {
      // Not JSON: the status alone says enough.
    }
    throw new CeranaError(
      'NETWORK',
      `${this.options.registry} answered HTTP ${reply.status} for ${what}${detail}`,
    );
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

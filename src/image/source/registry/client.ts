import type { Readable } from 'node:stream';
import { isDigest, sha256 } from '../../../common/digest.js';
import { CeranaError } from '../../../common/errors.js';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  MANIFEST_ACCEPT,
  MAX_DOCUMENT_BYTES,
  parseManifestDocument,
} from '../../manifest.js';
import { isLoopbackHost, registryApiHost } from '../../reference.js';
import type { Credentials } from '../../types.js';
import { DigestVerifier, verifyBytes } from '../verify.js';
import { Authenticator, type Transport } from './auth.js';
import { findDockerCredentials, type RegistryCredentials } from './credentials.js';
import { discard, type HttpResponse, header, readBody, send, TransportError } from './http.js';

export interface RegistryClientOptions {
  /** Registry as written in the reference (`docker.io`, `localhost:5000`, ...). */
  registry: string;
  repository: string;
  /** Explicit credentials (`--username/--password`); else the Docker config is consulted. */
  credentials?: Credentials;
  dockerConfigDir?: string;
  /** Allow plain HTTP and unverified TLS for a non-loopback registry. */
  insecure?: boolean;
  /** Longest wait for a connection or response headers, and longest stall inside a body. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;

export interface FetchedManifest {
  /** Digest of the exact bytes received (verified). */
  digest: string;
  mediaType: string;
  bytes: Buffer;
  document: ImageIndex | ImageManifest;
}

export interface ManifestHead {
  digest: string | undefined;
  mediaType: string;
  size: number;
}

export interface OpenBlobOptions {
  maxBytes: number;
  what: string;
  onBytes?: (bytes: number) => void;
}

type Method = 'GET' | 'HEAD';

/** host[:port] or [ipv6][:port]; anything else would end up elsewhere in a URL. */
const REGISTRY_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** A pull client for one repository of an OCI distribution v2 registry. */
export class RegistryClient {
  readonly registry: string;
  readonly repository: string;
  private readonly host: string;
  private readonly transport: Transport;
  private readonly authenticator: Authenticator;
  /** `https:` unless it failed at the TLS level on a registry allowed to speak plain HTTP. */
  private protocol: 'https:' | 'http:' | undefined;

  constructor(options: RegistryClientOptions) {
    if (!REGISTRY_HOST.test(options.registry)) {
      throw new CeranaError('USAGE', `invalid registry host ${JSON.stringify(options.registry)}`);
    }
    this.registry = options.registry;
    this.repository = options.repository;
    this.host = registryApiHost(options.registry);
    this.transport = {
      insecure: options.insecure === true,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const explicit = options.credentials;
    const load = async (): Promise<RegistryCredentials | undefined> =>
      explicit
        ? { kind: 'basic', username: explicit.username, password: explicit.password }
        : findDockerCredentials(options.registry, options.dockerConfigDir);
    this.authenticator = new Authenticator(options.registry, this.transport, load);
  }

  private get pullScope(): string {
    return `repository:${this.repository}:pull`;
  }

  /** Plain HTTP is never chosen silently for a remote registry: only loopback or --insecure. */
  private get mayUsePlainHttp(): boolean {
    return this.transport.insecure || isLoopbackHost(this.host);
  }

  private async sendTo(method: Method, url: URL, headers: Record<string, string>): Promise<HttpResponse> {
    return send({
      method,
      url,
      headers,
      insecureTls: this.mayUsePlainHttp,
      timeoutMs: this.transport.timeoutMs,
      ...(this.transport.signal ? { signal: this.transport.signal } : {}),
    });
  }

  /** Sends to the registry itself, settling on https or (where allowed) http on the first request. */
  private async sendToRegistry(method: Method, path: string, headers: Record<string, string>) {
    if (this.protocol) return this.sendTo(method, new URL(`${this.protocol}//${this.host}${path}`), headers);
    try {
      const response = await this.sendTo(method, new URL(`https://${this.host}${path}`), headers);
      this.protocol = 'https:';
      return response;
    } catch (error) {
      if (!(error instanceof TransportError && error.tlsFailure)) throw error;
      if (!this.mayUsePlainHttp) {
        throw new CeranaError('NETWORK', `${this.host} does not answer HTTPS (${error.message})`, {
          cause: error,
          hint: 'plain HTTP is used only for loopback registries or with --insecure',
        });
      }
      const response = await this.sendTo(method, new URL(`http://${this.host}${path}`), headers);
      this.protocol = 'http:';
      return response;
    }
  }

  /**
   * One authorized request: answers a 401 challenge once, then follows redirects (blob storage),
   * dropping the Authorization header when a redirect leaves the registry's origin.
   */
  private async request(method: Method, path: string, accept: string, what: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: accept };
    const early = await this.authenticator.authorizationFor(this.pullScope);
    if (early) headers.Authorization = early;
    let response = await this.sendToRegistry(method, path, headers);
    if (response.status === 401) {
      discard(response.body);
      headers.Authorization = await this.authenticator.respond(
        header(response.headers, 'www-authenticate'),
        this.pullScope,
      );
      response = await this.sendToRegistry(method, path, headers);
    }
    if (response.status === 401 || response.status === 403) {
      discard(response.body);
      throw this.authenticator.refused(response.status, what);
    }
    let url = new URL(`${this.protocol}//${this.host}${path}`);
    for (let hop = 0; isRedirect(response.status); hop++) {
      discard(response.body);
      const location = header(response.headers, 'location');
      if (hop >= MAX_REDIRECTS || !location) {
        throw new CeranaError(
          'NETWORK',
          `too many or broken redirects fetching ${what} from ${this.registry}`,
        );
      }
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new CeranaError(
          'NETWORK',
          `${this.registry} redirected ${what} to unsupported ${next.protocol}`,
        );
      }
      if (next.protocol === 'http:' && !this.transport.insecure && !isLoopbackHost(next.host)) {
        throw new CeranaError(
          'NETWORK',
          `${this.registry} redirected ${what} to plain HTTP at ${next.host}`,
          {
            hint: 'use --insecure only if you trust the network',
          },
        );
      }
      if (next.origin !== url.origin) delete headers.Authorization;
      url = next;
      response = await this.sendTo(method, url, headers);
    }
    return response;
  }

  private async failure(response: HttpResponse, what: string, notFound: string): Promise<never> {
    if (response.status === 404) {
      discard(response.body);
      throw new CeranaError('NOT_FOUND', `${what} not found in ${this.registry}/${this.repository}`, {
        hint: notFound,
      });
    }
    let detail = '';
    try {
      const text = (await readBody(response.body, MAX_ERROR_BODY, 'error response')).toString();
      const first = (JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] }).errors?.[0];
      if (first) detail = `: ${String(first.code ?? '')} ${String(first.message ?? '')}`.trimEnd();
    } catch {
      // The body only decorates the message; an unreadable one leaves the status to speak.
    }
    const hint = response.status === 429 ? 'the registry is rate limiting; retry later or log in' : undefined;
    throw new CeranaError(
      'NETWORK',
      `${this.registry} answered HTTP ${response.status} for ${what}${detail}`,
      hint === undefined ? {} : { hint },
    );
  }

  /** Resolves a tag or digest to the manifest's digest, media type and size without downloading it. */
  async headManifest(reference: string): Promise<ManifestHead> {
    const what = `manifest ${reference}`;
    const response = await this.request('HEAD', this.manifestPath(reference), MANIFEST_ACCEPT, what);
    discard(response.body);
    if (response.status !== 200) return this.failure(response, what, 'check the repository and tag');
    const digest = header(response.headers, 'docker-content-digest');
    return {
      digest: digest && isDigest(digest) ? digest : isDigest(reference) ? reference : undefined,
      mediaType: (header(response.headers, 'content-type') ?? '').split(';')[0]?.trim() ?? '',
      size: Number(header(response.headers, 'content-length') ?? -1),
    };
  }

  /**
   * Fetches a manifest or index by tag or digest and verifies it: by digest the bytes must hash
   * to it; by tag they must hash to `Docker-Content-Digest` when the registry sends one.
   */
  async getManifest(reference: string, expectedSize = -1): Promise<FetchedManifest> {
    const what = `manifest ${reference}`;
    const response = await this.request('GET', this.manifestPath(reference), MANIFEST_ACCEPT, what);
    if (response.status !== 200) return this.failure(response, what, 'check the repository and tag');
    const bytes = await readBody(response.body, MAX_DOCUMENT_BYTES, what);
    const announced = header(response.headers, 'docker-content-digest');
    let digest: string;
    if (isDigest(reference)) {
      digest = reference;
      verifyBytes(bytes, digest, what, 'registry');
    } else if (announced && isDigest(announced)) {
      digest = announced;
      verifyBytes(bytes, digest, what, 'registry');
    } else {
      digest = sha256(bytes);
    }
    if (expectedSize >= 0 && bytes.length !== expectedSize) {
      throw new CeranaError(
        'DIGEST_MISMATCH',
        `${what} has ${bytes.length} bytes, its descriptor declares ${expectedSize}`,
      );
    }
    const contentType = header(response.headers, 'content-type') ?? '';
    const document = parseManifestDocument(bytes, contentType);
    return { digest, mediaType: document.mediaType, bytes, document };
  }

  /** Opens a blob as a stream that errors (DIGEST_MISMATCH) at its end unless size and digest match. */
  async openBlob(descriptor: Descriptor, options: OpenBlobOptions): Promise<Readable> {
    const response = await this.request('GET', this.blobPath(descriptor.digest), '*/*', options.what);
    if (response.status !== 200) return this.failure(response, options.what, 'the registry lost a blob');
    const verifier = new DigestVerifier({
      digest: descriptor.digest,
      size: descriptor.size,
      maxBytes: options.maxBytes,
      what: options.what,
      origin: 'registry',
      ...(options.onBytes ? { onBytes: options.onBytes } : {}),
    });
    response.body.on('error', (error) => verifier.destroy(error));
    verifier.on('close', () => {
      if (!response.body.destroyed) response.body.destroy();
    });
    return response.body.pipe(verifier);
  }

  /** Reads a small blob (an image config) whole, verified, refusing more than maxBytes. */
  async readBlob(descriptor: Descriptor, maxBytes: number, what: string): Promise<Buffer> {
    if (descriptor.size > maxBytes) {
      throw new CeranaError(
        'LIMIT',
        `${what} declares ${descriptor.size} bytes, more than the limit of ${maxBytes}`,
      );
    }
    const stream = await this.openBlob(descriptor, { maxBytes, what });
    return readBody(stream, maxBytes, what);
  }

  private manifestPath(reference: string): string {
    // Tags and digests were validated by the reference parser or the descriptor parser: no escaping needed.
    return `/v2/${this.repository}/manifests/${reference}`;
  }

  private blobPath(digest: string): string {
    return `/v2/${this.repository}/blobs/${digest}`;
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * The few Docker Engine API calls a scanner needs, over the daemon's unix socket with plain
 * node:http. The API version is negotiated once: the lower of the daemon's and ours.
 */
import { type IncomingMessage, request } from 'node:http';
import { CeranaError } from '../../../common/errors.js';
import type { SourceOptions } from '../../types.js';

/** Newest API version this client knows; every call it makes exists since 1.24. */
const CLIENT_API = '1.45';
const MIN_API = '1.24';
const REQUEST_TIMEOUT_MS = 60_000;
/** An export that stalls this long without a byte is abandoned. */
const STREAM_IDLE_MS = 300_000;
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export function resolveSocket(options: Pick<SourceOptions, 'dockerSocket'>, env = process.env): string {
  if (options.dockerSocket) return options.dockerSocket;
  const host = env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  throw new CeranaError('UNSUPPORTED', `DOCKER_HOST=${host} is not a unix socket`, {
    hint: 'cerana talks to the Docker daemon over its unix socket; unset DOCKER_HOST or point it at unix://...',
  });
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

export class DockerEngine {
  private apiVersion: Promise<string> | undefined;

  constructor(
    readonly socketPath: string,
    private readonly signal?: AbortSignal,
  ) {}

  private unreachable(error: NodeJS.ErrnoException): CeranaError {
    return new CeranaError(
      'NETWORK',
      `cannot reach the Docker daemon at ${this.socketPath} (${error.code ?? error.message})`,
      {
        hint: 'is Docker running? point DOCKER_HOST (unix://...) or --docker-socket at its socket',
        cause: error,
      },
    );
  }

  private send(path: string, timeoutMs: number): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, path, method: 'GET', headers: { Host: 'docker' } });
      const onAbort = () => req.destroy(new CeranaError('INPUT', 'cancelled'));
      this.signal?.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(timeoutMs, () =>
        req.destroy(
          new CeranaError('NETWORK', `the Docker daemon did not answer ${path} within ${timeoutMs / 1000} s`),
        ),
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        this.signal?.removeEventListener('abort', onAbort);
        reject(error instanceof CeranaError ? error : this.unreachable(error));
      });
      req.on('response', (response) => {
        this.signal?.removeEventListener('abort', onAbort);
        resolve(response);
      });
      req.end();
    });
  }

  private async readBody(response: IncomingMessage, path: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > MAX_JSON_BYTES) {
        response.destroy();
        throw new CeranaError(
          'LIMIT',
          `the Docker daemon's answer to ${path} is larger than ${MAX_JSON_BYTES} bytes`,
        );
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private async failure(response: IncomingMessage, path: string, subject: string): Promise<CeranaError> {
    const body = await this.readBody(response, path).catch(() => Buffer.alloc(0));
    let message = body.toString('utf8').trim();
    try {
      const parsed = JSON.parse(message) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // Not JSON: keep the text as the daemon sent it.
    }
    const status = response.statusCode ?? 0;
    if (status === 404) {
      return new CeranaError('NOT_FOUND', `${subject} not found in the Docker daemon`, {
        hint: 'check the name with `docker image ls`',
      });
    }
    return new CeranaError(
      status >= 500 ? 'NETWORK' : 'INPUT',
      `the Docker daemon refused ${subject}: ${status} ${message}`,
    );
  }

  /** `v1.xx` to prefix every call with, negotiated with the daemon on first use. */
  version(): Promise<string> {
    this.apiVersion ??= (async () => {
      const response = await this.send('/_ping', REQUEST_TIMEOUT_MS);
      response.resume();
      const server = response.headers['api-version'];
      if (response.statusCode !== 200 || typeof server !== 'string') {
        throw new CeranaError('NETWORK', `${this.socketPath} does not answer like a Docker daemon`);
      }
      if (compareVersions(server, MIN_API) < 0) {
        throw new CeranaError(
          'UNSUPPORTED',
          `the Docker daemon speaks API ${server}; ${MIN_API} or newer is needed`,
        );
      }
      return compareVersions(server, CLIENT_API) < 0 ? server : CLIENT_API;
    })();
    return this.apiVersion;
  }

  /** GET a JSON document; `subject` names what was asked for in errors. */
  async json(path: string, subject: string): Promise<unknown> {
    const full = `/v${await this.version()}${path}`;
    const response = await this.send(full, REQUEST_TIMEOUT_MS);
    if (response.statusCode !== 200) throw await this.failure(response, full, subject);
    const body = await this.readBody(response, full);
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new CeranaError('NETWORK', `the Docker daemon sent invalid JSON for ${subject}`);
    }
  }

  /** GET a byte stream (an image export). */
  async stream(path: string, subject: string): Promise<IncomingMessage> {
    const full = `/v${await this.version()}${path}`;
    const response = await this.send(full, STREAM_IDLE_MS);
    if (response.statusCode !== 200) throw await this.failure(response, full, subject);
    return response;
  }
}

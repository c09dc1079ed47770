import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as plainRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { CeranaError } from '../../../common/errors.js';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** Accept any TLS certificate (loopback registries and --insecure). */
  insecureTls: boolean;
  /** Longest wait for the connection and the response headers, and longest stall while reading the body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body; errors with a NETWORK CeranaError when the server stalls. */
  body: Transform;
}

/** Errors below HTTP (refused, reset, TLS) as opposed to an HTTP status the server chose. */
export class TransportError extends CeranaError {
  readonly tlsFailure: boolean;

  constructor(message: string, options: { cause: unknown; tlsFailure: boolean; hint?: string }) {
    super('NETWORK', message, options.hint === undefined ? { cause: options.cause } : options);
    this.tlsFailure = options.tlsFailure;
  }
}

/** Error codes that mean "the server does not speak TLS here" rather than "it is down". */
const TLS_PROTOCOL_CODES = new Set(['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ECONNRESET']);

function describeTransportError(url: URL, error: NodeJS.ErrnoException): TransportError {
  const where = `${url.protocol}//${url.host}`;
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') {
    return new TransportError(`connection refused by ${where}`, {
      cause: error,
      tlsFailure: false,
      hint: 'is the registry running and the host:port right?',
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new TransportError(`cannot resolve host ${url.hostname}`, { cause: error, tlsFailure: false });
  }
  const tlsFailure =
    url.protocol === 'https:' &&
    (TLS_PROTOCOL_CODES.has(code) || code.startsWith('ERR_SSL_') || /ssl|tls/i.test(error.message));
  const hint =
    code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN'
      ? 'the registry certificate is not trusted; use --insecure only if you trust the network'
      : undefined;
  return new TransportError(
    `request to ${where} failed: ${error.message}`,
    hint === undefined ? { cause: error, tlsFailure } : { cause: error, tlsFailure, hint },
  );
}

/** Passes chunks through and fails when the server sends nothing for too long while we are reading. */
class StallGuard extends Transform {
  private lastChunk = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly source: IncomingMessage,
    timeoutMs: number,
    what: string,
  ) {
    super();
    this.timer = setInterval(
      () => {
        // A consumer that is busy (we are backpressured) is not a stalled server.
        const backpressured = this.source.isPaused() || this.readableLength >= this.readableHighWaterMark;
        if (backpressured) this.lastChunk = Date.now();
        else if (Date.now() - this.lastChunk > timeoutMs) {
          this.destroy(new CeranaError('NETWORK', `timed out after ${timeoutMs} ms reading ${what}`));
        }
      },
      Math.max(10, Math.min(1000, timeoutMs / 4)),
    );
    this.timer.unref();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.lastChunk = Date.now();
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.timer);
    callback(error);
  }

  override _flush(callback: TransformCallback): void {
    clearInterval(this.timer);
    callback();
  }
}

/** One HTTP exchange without following redirects: the caller decides what a redirect may carry along. */
export function send(request: HttpRequest): Promise<HttpResponse> {
  const { url } = request;
  const what = `${url.protocol}//${url.host}${url.pathname}`;
  return new Promise((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(new CeranaError('NETWORK', `request to ${what} aborted`));
      return;
    }
    const headers: Record<string, string> = { 'User-Agent': 'cerana', ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const options = { method: request.method, headers, timeout: request.timeoutMs };
    const req =
      url.protocol === 'https:'
        ? tlsRequest(url, { ...options, rejectUnauthorized: !request.insecureTls })
        : plainRequest(url, options);
    const onAbort = (): void => {
      req.destroy(new CeranaError('NETWORK', `request to ${what} aborted`));
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('timeout', () => {
      req.destroy(
        new CeranaError('NETWORK', `timed out after ${request.timeoutMs} ms waiting for ${what}`, {
          hint: 'check the network or the registry',
        }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      request.signal?.removeEventListener('abort', onAbort);
      reject(error instanceof CeranaError ? error : describeTransportError(url, error));
    });
    req.on('response', (response) => {
      // From here on the stall guard watches the body; the socket timeout would also fire while we are busy.
      response.socket.setTimeout(0);
      const body = new StallGuard(response, request.timeoutMs, what);
      pipeline(response, body, () => {
        request.signal?.removeEventListener('abort', onAbort);
      });
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
    });
    req.end(request.body);
  });
}

/** Reads a whole (small) body, refusing more than maxBytes. */
export async function readBody(body: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      body.destroy();
      throw new CeranaError('LIMIT', `${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Drops a body we do not need so the connection can be reused or closed. */
export function discard(body: Readable): void {
  body.resume();
  body.on('error', () => {});
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

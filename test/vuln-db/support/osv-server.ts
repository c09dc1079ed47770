import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

/**
 * A static HTTP server for OSV's bulk layout with the parts of HTTP a real bucket has:
 * ETag and Last-Modified, conditional GETs (304), byte ranges with If-Range (206). Tests
 * can replace a file's content, and inject faults: an error status for the next N requests,
 * a connection cut or a stall after N body bytes.
 */

export type Fault =
  | { kind: 'status'; status: number; times: number }
  /** Send this many body bytes, then drop the connection. */
  | { kind: 'cut'; afterBytes: number; times: number }
  /** Send this many body bytes, then go silent with the connection open. */
  | { kind: 'stall'; afterBytes: number; times: number };

export interface RequestLog {
  path: string;
  status: number;
  /** Body bytes written (before a cut). */
  bytes: number;
  headers: IncomingMessage['headers'];
}

interface Served {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

export class OsvServer {
  readonly log: RequestLog[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly overrides = new Map<string, Served>();
  private server: Server | undefined;
  private base = '';

  constructor(private readonly root: string) {}

  get url(): string {
    return this.base;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Serve `body` at `path` from now on, as a new version (new ETag and Last-Modified). */
  replace(path: string, body: Buffer, lastModified = new Date()): void {
    this.overrides.set(path, { body, etag: etagOf(body), lastModified });
  }

  inject(path: string, fault: Fault): void {
    const list = this.faults.get(path) ?? [];
    list.push(fault);
    this.faults.set(path, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Requests for `path`, oldest first. */
  requestsFor(path: string): RequestLog[] {
    return this.log.filter((entry) => entry.path === path);
  }

  bodyBytes(): number {
    return this.log.reduce((sum, entry) => sum + entry.bytes, 0);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const entry: RequestLog = { path, status: 0, bytes: 0, headers: req.headers };
    this.log.push(entry);
    const reply = (status: number, headers: Record<string, string | number> = {}, body?: Buffer): void => {
      entry.status = status;
      res.writeHead(status, headers);
      if (body === undefined || req.method === 'HEAD') {
        res.end();
        return;
      }
      const fault = this.takeFault(path, 'cut') ?? this.takeFault(path, 'stall');
      if (fault !== undefined && fault.kind !== 'status') {
        const part = body.subarray(0, fault.afterBytes);
        entry.bytes = part.length;
        res.write(part, () => {
          // A FIN rather than a reset: a reset may make the client's kernel drop bytes it already received.
          if (fault.kind === 'cut') res.socket?.end();
        });
        return;
      }
      entry.bytes = body.length;
      res.end(body);
    };
    const failure = this.takeFault(path, 'status');
    if (failure?.kind === 'status') {
      reply(failure.status, { 'content-length': 0 });
      return;
    }
    const file = this.file(path);
    if (file === undefined) {
      reply(404, { 'content-length': 0 });
      return;
    }
    const validators = {
      etag: file.etag,
      'last-modified': file.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
    };
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    if (
      ifNoneMatch !== undefined
        ? ifNoneMatch === file.etag
        : ifModifiedSince !== undefined && notModifiedSince(file, ifModifiedSince)
    ) {
      reply(304, validators);
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const rangeApplies =
      range !== null &&
      (ifRange === undefined || ifRange === file.etag || ifRange === validators['last-modified']);
    if (range !== null && rangeApplies) {
      const start = Number(range[1]);
      const end = range[2] === '' ? file.body.length - 1 : Math.min(Number(range[2]), file.body.length - 1);
      if (start >= file.body.length || start > end) {
        reply(416, { 'content-range': `bytes */${file.body.length}`, 'content-length': 0 });
        return;
      }
      const body = file.body.subarray(start, end + 1);
      reply(
        206,
        {
          ...validators,
          'content-range': `bytes ${start}-${end}/${file.body.length}`,
          'content-length': body.length,
        },
        body,
      );
      return;
    }
    reply(
      200,
      { ...validators, 'content-length': file.body.length, 'content-type': 'application/zip' },
      file.body,
    );
  }

  private takeFault(path: string, kind: Fault['kind']): Fault | undefined {
    const list = this.faults.get(path);
    const fault = list?.find((f) => f.kind === kind);
    if (fault === undefined || list === undefined) return undefined;
    fault.times--;
    if (fault.times <= 0) list.splice(list.indexOf(fault), 1);
    return fault;
  }

  private file(path: string): Served | undefined {
    const override = this.overrides.get(path);
    if (override !== undefined) return override;
    const full = normalize(join(this.root, path));
    if (!full.startsWith(this.root + sep)) return undefined;
    try {
      const info = statSync(full);
      if (!info.isFile()) return undefined;
      const body = readFileSync(full);
      return { body, etag: etagOf(body), lastModified: info.mtime };
    } catch {
      return undefined;
    }
  }
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}

function notModifiedSince(file: Served, since: string): boolean {
  const date = Date.parse(since);
  return !Number.isNaN(date) && Math.floor(file.lastModified.getTime() / 1000) * 1000 <= date;
}

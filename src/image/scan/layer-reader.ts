import type { Readable } from 'node:stream';
import { assertDigest, digestAlgorithm } from '../../common/digest.js';
import { CeranaError } from '../../common/errors.js';
import { createStreamHash } from '../../common/stream-hash.js';
import { TarEvent, TarTokenizer } from '../tar/tokenizer.js';
import type { Layer, ProgressSink, TarHeader } from '../types.js';
import { BodyChannel } from './body-channel.js';
import { EntryTable } from './entry-table.js';
import { formatBytes } from './format.js';
import type { IdleWork } from './idle-work.js';
import type {
  Fact,
  FileVisitor,
  LayerFact,
  LayerFacts,
  ScanLimits,
  SkippedFile,
  SkipReason,
  StreamedFile,
} from './types.js';

/** Captured bytes held across the layers of one scan (the per-image limit). */
export interface CaptureBudget {
  used: number;
  readonly max: number;
}

export interface ReadLayerOptions {
  limits: ScanLimits;
  budget: CaptureBudget;
  signal?: AbortSignal;
  /** Told the decompressed bytes read, under the layer's diffId. */
  progress?: ProgressSink;
  /** Where captured files are offered to their visitors' prepare(), run while hashing holds the read up. */
  idle: IdleWork;
}

/** Streaming visitors that may still be finishing their files while the reader moves on. */
const MAX_PENDING_STREAMS = 8;

/**
 * Reads one layer once: the decompressed tar is hashed (it must match the layer's diffId,
 * or nothing it produced may be trusted or cached — unless the source verified the content
 * already), walked entry by entry into a compact table, and offered to the visitors; wanted
 * files are captured or streamed to them.
 */
export async function readLayer(
  layer: Layer,
  visitors: readonly FileVisitor[],
  options: ReadLayerOptions,
): Promise<LayerFacts> {
  const diffId = assertDigest(layer.diffId, 'layer diffId');
  const label = `layer ${shortDigest(diffId)}`;
  const reader = new LayerWalk(diffId, label, visitors, options);
  // Not hashed: content the source already verified (Layer.verifiedDigest), and generated
  // layers whose diffId names their origin rather than their bytes (Layer.cacheable false).
  const verify = layer.verifiedDigest === undefined && layer.cacheable !== false;
  const algorithm = digestAlgorithm(diffId);
  const hash = verify ? createStreamHash(algorithm, layer.size) : undefined;
  const { limits, signal, progress, idle } = options;
  signal?.throwIfAborted();

  const stream: Readable = await layer.open();
  // The decompressed size is not known in advance (the blob size is only a hint when uncompressed).
  progress?.start(diffId, `scanning ${label}`, layer.mediaType.endsWith('.tar') ? layer.size : -1);
  const onAbort = (): void => {
    stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limits.maxLayerBytes) {
        throw new CeranaError(
          'LIMIT',
          `${label}: decompressed content exceeds ${formatBytes(limits.maxLayerBytes)} (possible decompression bomb)`,
          { hint: 'raise maxLayerBytes if this image is trusted' },
        );
      }
      const hashing = hash?.update(chunk);
      progress?.advance(diffId, chunk.length);
      await reader.feed(chunk);
      if (hashing) await idle.during(hashing);
    }
    signal?.throwIfAborted();
    reader.finish();
    await reader.settle();
  } catch (error) {
    reader.abandon();
    hash?.abandon();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
    progress?.done(diffId);
  }

  // The worker may still have megabytes queued for this layer: queued work can use that wait too.
  const actual = hash === undefined ? diffId : `${algorithm}:${await idle.during(hash.digest())}`;
  if (actual !== diffId) {
    throw new CeranaError(
      'DIGEST_MISMATCH',
      `${label}: content hashes to ${actual}, not to its diffId ${diffId}`,
      {
        hint: 'the image config does not describe its layers (corrupt or tampered image); nothing was cached',
      },
    );
  }
  return reader.result(bytes);
}

/** The per-layer walk state: the tokenizer, the entry table and the files being captured or streamed. */
class LayerWalk {
  private readonly tokenizer: TarTokenizer;
  private readonly table: EntryTable;
  private readonly whiteouts: string[] = [];
  private readonly opaqueDirs: string[] = [];
  private readonly captured = new Map<string, Buffer>();
  private readonly facts: LayerFact[] = [];
  private readonly skipped: SkippedFile[] = [];
  private skippedCount = 0;
  private readonly warnings: string[] = [];
  private warningCount = 0;
  private capturedBytes = 0;

  private capture: Buffer | undefined;
  private captureFilled = 0;
  private channels: BodyChannel[] = [];
  private currentPath = '';
  private readonly pending: Promise<void>[] = [];
  private readonly streamers: FileVisitor[] = [];
  /** Visitors with prepare() that asked to capture the current file. */
  private readonly preparers: FileVisitor[] = [];

  constructor(
    private readonly diffId: string,
    private readonly label: string,
    private readonly visitors: readonly FileVisitor[],
    private readonly options: ReadLayerOptions,
  ) {
    this.tokenizer = new TarTokenizer({
      label,
      maxExtensionBytes: options.limits.maxExtensionHeaderBytes,
      onWarning: (message) => this.warn(message),
    });
    this.table = EntryTable.create(options.limits.maxPathBytesPerLayer);
  }

  /** Processes one chunk; resolves once every event in it is handled. */
  async feed(chunk: Buffer): Promise<void> {
    const t = this.tokenizer;
    t.push(chunk);
    for (;;) {
      const event = t.next();
      if (event === TarEvent.NeedMore) return;
      if (event === TarEvent.Entry) this.onEntry(t.header);
      else if (event === TarEvent.Data) {
        const wait = this.onData(t.data);
        if (wait) await wait;
      } else {
        const wait = this.onEntryEnd();
        if (wait) await wait;
      }
    }
  }

  finish(): void {
    this.tokenizer.finish();
  }

  /** Waits for streaming visitors still working on their last files. */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** On failure: release visitors blocked on bodies that will never complete. */
  abandon(): void {
    for (const channel of this.channels) channel.detach();
    this.channels = [];
  }

  result(bytes: number): LayerFacts {
    const entries = this.table;
    entries.seal();
    if (this.warningCount > this.warnings.length) {
      this.warnings.push(
        `${this.label}: ${this.warningCount - this.warnings.length} more warnings not shown`,
      );
    }
    return {
      diffId: this.diffId,
      entries,
      whiteouts: this.whiteouts,
      opaqueDirs: this.opaqueDirs,
      captured: this.captured,
      facts: this.facts,
      skipped: this.skipped,
      skippedCount: this.skippedCount,
      warnings: this.warnings,
      bytes,
    };
  }

  private onEntry(header: TarHeader): void {
    const path = header.path;
    const slash = path.lastIndexOf('/');
    if (path.startsWith('.wh.', slash + 1)) {
      this.onWhiteout(path, slash);
      return;
    }
    const limits = this.options.limits;
    if (this.table.length >= limits.maxEntriesPerLayer) {
      throw new CeranaError('LIMIT', `${this.label}: more than ${limits.maxEntriesPerLayer} entries`, {
        hint: 'raise maxEntriesPerLayer if this image is trusted',
      });
    }
    this.table.add(header);
    if (header.type !== 'file' || this.visitors.length === 0) return;

    let wantsCapture = false;
    const streamers = this.streamers;
    const preparers = this.preparers;
    streamers.length = 0;
    preparers.length = 0;
    for (const visitor of this.visitors) {
      const interest = visitor.wants(path, header);
      if (interest === 'capture') {
        wantsCapture = true;
        if (visitor.prepare !== undefined) preparers.push(visitor);
      } else if (interest === 'stream') streamers.push(visitor);
    }
    if (!wantsCapture && streamers.length === 0) return;
    if (this.tokenizer.sparse) {
      this.skip(path, header.size, 'sparse');
      return;
    }

    this.currentPath = path;
    if (wantsCapture) this.startCapture(path, header.size);
    for (const visitor of streamers) this.startStream(visitor, header);
    if (this.capture !== undefined || this.channels.length > 0) this.tokenizer.wantBody();
  }

  private onWhiteout(path: string, slash: number): void {
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (name.startsWith('.wh..wh.')) {
      // `.wh..wh..opq` marks an opaque directory; other `.wh..wh.` names are aufs bookkeeping.
      if (name === '.wh..wh..opq') this.opaqueDirs.push(dir);
      return;
    }
    const target = name.slice(4);
    if (target === '' || target === '.' || target === '..') {
      this.warn(`${this.label}: meaningless whiteout ${JSON.stringify(path)} ignored`);
      return;
    }
    this.whiteouts.push(dir === '' ? target : `${dir}/${target}`);
  }

  private startCapture(path: string, size: number): void {
    const limits = this.options.limits;
    if (size > limits.maxCaptureFileBytes) {
      this.skip(path, size, 'over-file-limit');
      return;
    }
    if (this.capturedBytes + size > limits.maxCapturedBytesPerLayer) {
      this.skip(path, size, 'over-layer-budget');
      return;
    }
    const budget = this.options.budget;
    if (budget.used + size > budget.max) {
      throw new CeranaError(
        'LIMIT',
        `captured files exceed ${formatBytes(budget.max)} for the image (at ${path} in ${this.label})`,
        { hint: 'raise maxCapturedBytesTotal if this image is trusted' },
      );
    }
    budget.used += size;
    this.capturedBytes += size;
    this.capture = Buffer.allocUnsafe(size);
    this.captureFilled = 0;
  }

  private startStream(visitor: FileVisitor, header: TarHeader): void {
    const channel = new BodyChannel();
    const file: StreamedFile = { path: header.path, header, layer: this.diffId, body: channel.stream };
    let run: Promise<Fact[]>;
    try {
      if (!visitor.onStream) throw new Error('wants() said "stream" but the visitor has no onStream()');
      run = visitor.onStream(file);
    } catch (error) {
      run = Promise.reject(error);
    }
    this.channels.push(channel);
    const done = run.then(
      (facts) => {
        channel.detach();
        this.record(visitor, header.path, facts);
      },
      (error: unknown) => {
        channel.detach();
        this.warn(
          `visitor ${visitor.name} failed on ${header.path} in ${this.label}: ${(error as Error)?.message ?? error}`,
        );
      },
    );
    this.pending.push(done);
  }

  private onData(data: Buffer): Promise<unknown> | undefined {
    if (this.capture !== undefined) {
      data.copy(this.capture, this.captureFilled);
      this.captureFilled += data.length;
    }
    let waits: Promise<void>[] | undefined;
    for (const channel of this.channels) {
      if (channel.write(data)) continue;
      waits ??= [];
      waits.push(channel.drained());
    }
    return waits === undefined ? undefined : waits.length === 1 ? waits[0] : Promise.all(waits);
  }

  private onEntryEnd(): Promise<unknown> | undefined {
    if (this.capture !== undefined) {
      this.captured.set(this.currentPath, this.capture);
      this.offerToPrepare(this.currentPath, this.capture);
      this.capture = undefined;
    }
    for (const channel of this.channels) channel.end();
    this.channels = [];
    if (this.pending.length <= MAX_PENDING_STREAMS) return undefined;
    // Settled promises are dropped; when too many are still running, wait for the oldest.
    return this.pending.shift();
  }

  private offerToPrepare(path: string, data: Buffer): void {
    for (const visitor of this.preparers) this.options.idle.add(() => visitor.prepare?.(path, data));
  }

  private record(visitor: FileVisitor, path: string, facts: Fact[]): void {
    let plain: Fact[];
    try {
      // Facts are cached as JSON: a fresh scan must see exactly what a cached one will.
      plain = JSON.parse(JSON.stringify(facts)) as Fact[];
      if (!Array.isArray(plain)) throw new Error('not an array');
    } catch (error) {
      this.warn(
        `visitor ${visitor.name} returned facts for ${path} that are not JSON: ${(error as Error).message}`,
      );
      return;
    }
    for (const fact of plain) {
      if (typeof fact?.kind !== 'string') {
        this.warn(`visitor ${visitor.name} returned a fact without a kind for ${path}`);
        continue;
      }
      this.facts.push({ visitor: visitor.name, path, kind: fact.kind, data: fact.data ?? null });
    }
  }

  private skip(path: string, size: number, reason: SkipReason): void {
    this.skippedCount++;
    if (this.skipped.length < this.options.limits.maxReportedSkips) this.skipped.push({ path, size, reason });
  }

  private warn(message: string): void {
    this.warningCount++;
    if (this.warnings.length < this.options.limits.maxReportedSkips) this.warnings.push(message);
  }
}

export function shortDigest(digest: string): string {
  return digest.slice(0, digest.indexOf(':') + 13);
}

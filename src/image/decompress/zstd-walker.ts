import { CeranaError } from '../../common/errors.js';

/**
 * Walks the frame and block structure of a zstd stream without decoding it, so the pure-JS
 * decoder (fzstd, which decodes every complete block it is given in one synchronous call and
 * allocates whatever window a frame header declares) can be fed slices whose output is
 * bounded, and frames declaring oversized windows are refused before any allocation.
 * Format: RFC 8878, sections 3.1 (frames) and 3.1.1.2 (blocks).
 */
const MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
const MAX_BLOCK = 128 * 1024;

const S_MAGIC = 0;
const S_FRAME_DESCRIPTOR = 1;
const S_FRAME_HEADER_REST = 2;
const S_BLOCK_HEADER = 3;
const S_SKIP = 4;
const S_SKIPPABLE_SIZE = 5;

export class ZstdWalker {
  private state = S_MAGIC;
  private readonly field = Buffer.alloc(16);
  private fieldNeed = 4;
  private fieldHave = 0;
  private skip = 0;
  private descriptor = 0;
  private windowBytes = 0;
  private hasChecksum = false;
  /** The current block is the frame's last. */
  private lastBlock = false;
  private afterSkip = S_BLOCK_HEADER;
  private offset = 0;

  constructor(
    private readonly maxWindowBytes: number,
    private readonly label: string,
  ) {}

  /**
   * Returns the end of the longest slice of chunk[start..] whose decoded output is at most about
   * `outputBudget` bytes (at least one block is always included, so progress is guaranteed).
   */
  cut(chunk: Buffer, start: number, outputBudget: number): number {
    let pos = start;
    let output = 0;
    while (pos < chunk.length) {
      if (this.state === S_SKIP) {
        const n = Math.min(this.skip, chunk.length - pos);
        pos += n;
        this.skip -= n;
        if (this.skip > 0) break;
        this.state = this.afterSkip;
        this.expect(this.state === S_MAGIC ? 4 : 3);
        if (output >= outputBudget) break;
        continue;
      }
      const n = Math.min(this.fieldNeed - this.fieldHave, chunk.length - pos);
      chunk.copy(this.field, this.fieldHave, pos, pos + n);
      this.fieldHave += n;
      pos += n;
      if (this.fieldHave < this.fieldNeed) break;
      output += this.onField();
    }
    this.offset += pos - start;
    return pos;
  }

  /** True when the stream may end here (between frames). */
  get atFrameBoundary(): boolean {
    return this.state === S_MAGIC && this.fieldHave === 0;
  }

  private expect(bytes: number): void {
    this.fieldNeed = bytes;
    this.fieldHave = 0;
  }

  /** Consumes a complete field; returns the decoded bytes the following data may produce. */
  private onField(): number {
    const f = this.field;
    switch (this.state) {
      case S_MAGIC: {
        const magic = f.readUInt32LE(0);
        if (magic === MAGIC) {
          this.state = S_FRAME_DESCRIPTOR;
          this.expect(1);
        } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE) {
          this.state = S_SKIPPABLE_SIZE;
          this.expect(4);
        } else {
          throw this.corrupt('bad frame magic');
        }
        return 0;
      }
      case S_SKIPPABLE_SIZE:
        this.skip = f.readUInt32LE(0);
        this.afterSkip = S_MAGIC;
        this.state = S_SKIP;
        return 0;
      case S_FRAME_DESCRIPTOR: {
        const d = f[0] as number;
        if (d & 0x08) throw this.corrupt('reserved frame header bit set');
        this.descriptor = d;
        this.hasChecksum = (d & 0x04) !== 0;
        const singleSegment = (d & 0x20) !== 0;
        const fcsFlag = d >> 6;
        const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
        const dictBytes = [0, 1, 2, 4][d & 3] as number;
        const rest = (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
        // Never empty: a frame has a window descriptor or, when single-segment, a content size.
        this.state = S_FRAME_HEADER_REST;
        this.expect(rest);
        return 0;
      }
      case S_FRAME_HEADER_REST: {
        const d = this.descriptor;
        const singleSegment = (d & 0x20) !== 0;
        if (singleSegment) {
          const fcsFlag = d >> 6;
          const at = this.fieldNeed - (fcsFlag === 0 ? 1 : 1 << fcsFlag);
          this.windowBytes = readContentSize(f, at, fcsFlag);
        } else {
          const w = f[0] as number;
          const base = 2 ** (10 + (w >> 3));
          this.windowBytes = base + (base / 8) * (w & 7);
        }
        if (this.windowBytes > this.maxWindowBytes) {
          throw new CeranaError(
            'LIMIT',
            `${this.label}: zstd frame needs a ${this.windowBytes}-byte window, over the ${this.maxWindowBytes}-byte limit`,
            { hint: 'raise the zstd window limit if this layer is trusted' },
          );
        }
        this.state = S_BLOCK_HEADER;
        this.expect(3);
        return 0;
      }
      case S_BLOCK_HEADER: {
        const header = (f[0] as number) | ((f[1] as number) << 8) | ((f[2] as number) << 16);
        this.lastBlock = (header & 1) === 1;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === 3) throw this.corrupt('reserved block type');
        if (size > MAX_BLOCK) throw this.corrupt('block larger than 128 KiB');
        this.skip = type === 1 ? 1 : size;
        this.afterSkip = this.lastBlock ? S_MAGIC : S_BLOCK_HEADER;
        if (this.lastBlock && this.hasChecksum) this.skip += 4;
        this.state = S_SKIP;
        // Raw and RLE blocks regenerate `size` bytes; a compressed one at most a full block.
        return type === 2 ? Math.min(this.windowBytes, MAX_BLOCK) : size;
      }
      default:
        throw new CeranaError('INTERNAL', 'zstd walker in an impossible state');
    }
  }

  private corrupt(what: string): CeranaError {
    return new CeranaError('INPUT', `${this.label}: corrupt zstd stream: ${what} near byte ${this.offset}`);
  }
}

function readContentSize(f: Buffer, at: number, flag: number): number {
  switch (flag) {
    case 0:
      return f[at] as number;
    case 1:
      return f.readUInt16LE(at) + 256;
    case 2:
      return f.readUInt32LE(at);
    default:
      return Number(f.readBigUInt64LE(at));
  }
}

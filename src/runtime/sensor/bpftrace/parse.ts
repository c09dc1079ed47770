import { HEADER_LENGTH, LAYOUT_BY_KIND, type SensorRecord, STRING_KIND } from '../records.js';

/**
 * Turns the JSON lines bpftrace writes under `-f json` into sensor records.
 *
 * String records (kind 0) arrive just before the main record they belong to and are matched
 * to it by thread and timestamp, so a main record lost in a full buffer cannot lend its
 * strings to the next one. bpftrace (up to at least 0.17) escapes bytes >= 0x80 as
 * `\uffffffXX`; those are turned back into bytes and the string decoded as UTF-8.
 */

export type ParsedLine =
  | { readonly type: 'record'; readonly record: SensorRecord }
  | { readonly type: 'attached'; readonly probes: number }
  | { readonly type: 'lost'; readonly events: number }
  | { readonly type: 'none' };

const NONE: ParsedLine = { type: 'none' };
const MAX_PENDING = 4096;

/** `\uffffffXX` not preceded by an escaping backslash. */
const SIGN_EXTENDED = /(?<!\\)((?:\\\\)*)\\uffffff([0-9a-f]{2})/g;

interface Pending {
  ts: number;
  /** Pieces by slot; each piece is text, with `binary` when it holds bytes as Latin-1 characters. */
  slots: { text: string; binary: boolean }[][];
}

/** Malformed lines are counted, not thrown: the sensor must outlive a bad record. */
export class BpftraceParser {
  private readonly pending = new Map<number, Pending>();
  malformed = 0;

  /** `strlen` is the BPFTRACE_STRLEN the program ran with: a full piece holds `strlen - 1` bytes. */
  constructor(private readonly strlen: number) {}

  parse(line: string): ParsedLine {
    if (line.length === 0) return NONE;
    let binary = false;
    let text = line;
    if (line.includes('\\uffffff')) {
      text = line.replace(SIGN_EXTENDED, '$1\\u00$2');
      binary = true;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.malformed++;
      return NONE;
    }
    if (typeof msg !== 'object' || msg === null) return this.bad();
    const { type, data } = msg as { type?: unknown; data?: unknown };
    if (type === 'value' && Array.isArray(data)) return this.tuple(data, binary);
    if (type === 'attached_probes') {
      const probes = (data as { probes?: unknown } | null)?.probes;
      return { type: 'attached', probes: typeof probes === 'number' ? probes : 0 };
    }
    if (type === 'lost_events') {
      const events = (data as { events?: unknown } | null)?.events;
      return { type: 'lost', events: typeof events === 'number' ? events : 0 };
    }
    return NONE;
  }

  /** Whether a piece filled its whole buffer (so the string may go on in the next piece). */
  private full(text: string, binary: boolean): boolean {
    return Buffer.byteLength(text, binary ? 'latin1' : 'utf8') >= this.strlen - 1;
  }

  /**
   * The string made of consecutive pieces. The kernel side sends piece k+1 when the byte after
   * piece k is not NUL, which it also is when piece k ended early and memory after it is not
   * zero: such a piece (shorter than a full buffer) ends the string.
   */
  private join(
    pieces: readonly ({ text: string; binary: boolean } | undefined)[] | undefined,
  ): string | undefined {
    if (pieces === undefined || pieces[0] === undefined) return undefined;
    let text = '';
    let binary = false;
    for (const p of pieces) {
      if (p === undefined) break;
      text += p.text;
      binary ||= p.binary;
      if (!this.full(p.text, p.binary)) break;
    }
    return binary ? fromLatin1(text) : text;
  }

  private bad(): ParsedLine {
    this.malformed++;
    return NONE;
  }

  private tuple(t: unknown[], binary: boolean): ParsedLine {
    const kind = t[0];
    if (kind === STRING_KIND) {
      this.piece(t, binary);
      return NONE;
    }
    const layout = typeof kind === 'number' ? LAYOUT_BY_KIND[kind] : undefined;
    if (layout === undefined || typeof kind !== 'number') return this.bad();
    const nNums = layout.nums.length;
    if (t.length !== HEADER_LENGTH + nNums + layout.inline.length) return this.bad();
    for (let i = 1; i < HEADER_LENGTH + nNums; i++) if (typeof t[i] !== 'number') return this.bad();
    const ts = t[1] as number;
    const tid = t[3] as number;
    const pending = this.pending.get(tid);
    if (pending !== undefined) this.pending.delete(tid);
    const slots = pending !== undefined && pending.ts === ts ? pending.slots : undefined;
    const s: (string | undefined)[] = [];
    for (let i = HEADER_LENGTH + nNums; i < t.length; i++) {
      const v = t[i];
      if (typeof v !== 'string') return this.bad();
      s.push(binary ? fromLatin1(v) : v);
    }
    for (let i = 0; i < layout.slots.length; i++) s.push(this.join(slots?.[i]));
    if (layout.continued !== undefined) {
      const at = layout.inline.indexOf(layout.continued.inline);
      const more = layout.inline.length + layout.slots.indexOf(layout.continued.slot);
      const first = t[HEADER_LENGTH + nNums + at] as string;
      // The inline piece went on only if it filled its buffer; otherwise the slot read past its end.
      // Continuation pieces are numbered from 1: piece 0 is the inline one.
      const rest = slots?.[more - layout.inline.length]?.slice(1) ?? [];
      if (this.full(first, binary)) s[at] = this.join([{ text: first, binary }, ...rest]);
      s[more] = undefined;
    }
    const record: SensorRecord = {
      kind,
      ts,
      pid: t[2] as number,
      tid,
      mntns: t[4] as number,
      n: t.slice(HEADER_LENGTH, HEADER_LENGTH + nNums) as number[],
      s,
    };
    return { type: 'record', record };
  }

  private piece(t: unknown[], binary: boolean): void {
    const [, tid, ts, slot, piece, text] = t;
    if (
      typeof tid !== 'number' ||
      typeof ts !== 'number' ||
      typeof slot !== 'number' ||
      typeof piece !== 'number' ||
      typeof text !== 'string' ||
      slot < 0 ||
      slot > 64 ||
      piece < 0 ||
      piece > 64
    ) {
      this.malformed++;
      return;
    }
    let pending = this.pending.get(tid);
    if (pending === undefined || pending.ts !== ts) {
      // Strings whose main record was lost stay behind; never let them pile up.
      if (this.pending.size >= MAX_PENDING) this.pending.clear();
      pending = { ts, slots: [] };
      this.pending.set(tid, pending);
    }
    let pieces = pending.slots[slot];
    if (pieces === undefined) {
      pieces = [];
      pending.slots[slot] = pieces;
    }
    pieces[piece] = { text, binary };
  }
}

function fromLatin1(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

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
    const s: (string | undefined)[] = [];
    for (let i = HEADER_LENGTH + nNums; i < t.length; i++) {
      const v = t[i];
      if (typeof v !== 'string') return this.bad();
      s.push(binary ? fromLatin1(v) : v);
    }
    const pending = this.pending.get(tid);
    if (pending !== undefined) this.pending.delete(tid);
    const slots = pending !== undefined && pending.ts === ts ? pending.slots : undefined;
    for (let i = 0; i < layout.slots.length; i++) s.push(joinPieces(slots?.[i]));
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

function joinPieces(pieces: { text: string; binary: boolean }[] | undefined): string | undefined {
  if (pieces === undefined) return undefined;
  let text = '';
  let binary = false;
  // Pieces follow each other without gaps; a missing one ends the string.
  for (const p of pieces) {
    if (p === undefined) break;
    text += p.text;
    binary ||= p.binary;
  }
  return binary ? fromLatin1(text) : text;
}

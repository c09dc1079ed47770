import { describe, expect, it } from 'vitest';
import { KIND, LAYOUTS, type RecordName, S, STRING_KIND } from '../records.js';
import { BpftraceParser } from './parse.js';

const STRLEN = 8; // pieces of 7 bytes keep the fixtures short

/** A main record line as bpftrace prints it: header, the layout's numbers (all 0 unless given), inline strings. */
function main(
  name: RecordName,
  ts: number,
  tid: number,
  nums: Record<string, number> = {},
  inline: string[] = [],
): string {
  const n = LAYOUTS[name].nums.map((f) => nums[f] ?? 0);
  const strs = LAYOUTS[name].inline.map((_, i) => inline[i] ?? '');
  return JSON.stringify({ type: 'value', data: [KIND[name], ts, tid, tid, 4026532177, ...n, ...strs] });
}

function piece(tid: number, ts: number, slot: number, index: number, text: string): string {
  return JSON.stringify({ type: 'value', data: [STRING_KIND, tid, ts, slot, index, text] });
}

function record(parser: BpftraceParser, line: string) {
  const parsed = parser.parse(line);
  if (parsed.type !== 'record') throw new Error(`not a record: ${line}`);
  return parsed.record;
}

describe('bpftrace line parser', () => {
  it('reads control lines and counts what it cannot read', () => {
    const p = new BpftraceParser(STRLEN);
    expect(p.parse('{"type": "attached_probes", "data": {"probes": 58}}')).toEqual({
      type: 'attached',
      probes: 58,
    });
    expect(p.parse('{"type": "lost_events", "data": {"events": 12}}')).toEqual({ type: 'lost', events: 12 });
    expect(p.parse('{"type": "printf", "data": "x"}')).toEqual({ type: 'none' });
    expect(p.parse('')).toEqual({ type: 'none' });
    expect(p.malformed).toBe(0);
    p.parse('{"type": "value", "data": [99, 1, 2]}');
    p.parse('{"type": "value", "data": [6, "ts"]}');
    p.parse('not json');
    p.parse(main('open', 1, 1).replace(/\]\}$/, ',"extra"]}'));
    expect(p.malformed).toBe(4);
  });

  it('attaches string pieces to the main record of the same thread and time', () => {
    const p = new BpftraceParser(STRLEN);
    p.parse(piece(7, 100, 0, 0, '/etc/sh'));
    p.parse(piece(7, 100, 0, 1, 'adow'));
    p.parse(piece(7, 100, 1, 0, '/tmp/l'));
    // Another thread's pieces in between do not interfere.
    p.parse(piece(8, 101, 0, 0, 'other'));
    const r = record(p, main('link', 100, 7, { ok: 1, nr: 88 }));
    expect(r.s[S.link.oldpath]).toBe('/etc/shadow');
    expect(r.s[S.link.newpath]).toBe('/tmp/l');
    expect(r).toMatchObject({ kind: KIND.link, ts: 100, pid: 7, tid: 7, mntns: 4026532177 });
  });

  it('never lends strings to a later record when their own record was lost', () => {
    const p = new BpftraceParser(STRLEN);
    p.parse(piece(7, 100, 0, 0, '/etc/passwd'));
    const r = record(p, main('link', 200, 7, { ok: 1 }));
    expect(r.s[S.link.oldpath]).toBeUndefined();
  });

  it('ignores pieces read past the end of a shorter string', () => {
    const p = new BpftraceParser(STRLEN);
    // The kernel side checks the byte after a piece; after a short piece that byte is stale memory.
    p.parse(piece(7, 100, 0, 0, 'short'));
    p.parse(piece(7, 100, 0, 1, 'garbage'));
    expect(record(p, main('unlink', 100, 7, { ok: 1 })).s[S.unlink.path]).toBe('short');
  });

  it('continues an inline path with its slot only when the inline piece was full', () => {
    const p = new BpftraceParser(STRLEN);
    p.parse(piece(7, 100, 0, 1, '/long'));
    expect(record(p, main('open', 100, 7, { ok: 1 }, ['/a/very'])).s[S.open.path]).toBe('/a/very/long');
    p.parse(piece(7, 101, 0, 1, 'junk'));
    const short = record(p, main('open', 101, 7, { ok: 1 }, ['/etc']));
    expect(short.s[S.open.path]).toBe('/etc');
    expect(short.s[S.open.pathMore]).toBeUndefined();
  });

  it('restores bytes bpftrace escaped as \\uffffffXX and decodes them as UTF-8', () => {
    const p = new BpftraceParser(64);
    // "/tmp/héllo" with é = c3 a9, as bpftrace 0.17 prints it; a literal backslash sequence stays as is.
    const line = main('unlink', 5, 3, { ok: 1 });
    p.parse('{"type": "value", "data": [0,3,5,0,0,"/tmp/h\\uffffffc3\\uffffffa9llo \\\\uffffff41"]}');
    expect(record(p, line).s[S.unlink.path]).toBe('/tmp/héllo \\uffffff41');
  });
});

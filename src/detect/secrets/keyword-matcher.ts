/**
 * Finds every occurrence of many keywords in one pass over a byte buffer (Aho–Corasick,
 * compiled to a dense DFA of 256 transitions per state). ASCII letters are folded, so all
 * keywords match case-insensitively; a keyword marked case-sensitive is checked against the
 * original bytes on each hit, which keeps one automaton for both kinds.
 *
 * The secret scanner runs this once per file before any regex: a rule whose keywords do not
 * occur is never evaluated, and a rule whose keywords occur is evaluated only near them.
 */

export interface Keyword {
  text: string;
  caseSensitive: boolean;
}

/** Called for each occurrence: keyword index and the offset just past its last byte. */
export type HitHandler = (keyword: number, end: number) => void;

export class KeywordMatcher {
  /** Transition table, 256 entries per state; negative entries mark states where keywords end. */
  private readonly delta: Int16Array | Int32Array;
  /** outputs[outStart[s]..outStart[s+1]) are the keywords ending at state s. */
  private readonly outStart: Int32Array;
  private readonly outputs: Int32Array;
  private readonly bytes: Uint8Array[];
  private readonly caseSensitive: boolean[];

  constructor(keywords: readonly Keyword[]) {
    this.bytes = keywords.map((k) => new Uint8Array(Buffer.from(k.text, 'utf8')));
    this.caseSensitive = keywords.map((k) => k.caseSensitive);
    for (const [i, b] of this.bytes.entries()) {
      if (b.length === 0) throw new Error(`keyword ${i} is empty`);
    }

    // Trie over folded bytes.
    const children: Map<number, number>[] = [new Map()];
    const terminal: number[][] = [[]];
    for (const [index, word] of this.bytes.entries()) {
      let state = 0;
      for (const raw of word) {
        const byte = fold(raw);
        const node = children[state] as Map<number, number>;
        let next = node.get(byte);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          terminal.push([]);
          node.set(byte, next);
        }
        state = next;
      }
      (terminal[state] as number[]).push(index);
    }

    // Breadth-first: failure links, full transition table, outputs merged along failure links.
    const states = children.length;
    const delta = new Int32Array(states * 256);
    const fail = new Int32Array(states);
    const out: number[][] = terminal.map((t) => [...t]);
    const queue: number[] = [];
    for (let byte = 0; byte < 256; byte++) {
      const next = (children[0] as Map<number, number>).get(byte);
      if (next !== undefined) {
        delta[byte] = next;
        queue.push(next);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const f = fail[state] as number;
      (out[state] as number[]).push(...(out[f] as number[]));
      for (let byte = 0; byte < 256; byte++) {
        const next = (children[state] as Map<number, number>).get(byte);
        if (next === undefined) {
          delta[state * 256 + byte] = delta[f * 256 + byte] as number;
        } else {
          delta[state * 256 + byte] = next;
          fail[next] = delta[f * 256 + byte] as number;
          queue.push(next);
        }
      }
    }
    // Upper-case bytes take the transitions of their lower-case letter.
    for (let state = 0; state < states; state++) {
      for (let byte = 0x41; byte <= 0x5a; byte++) {
        delta[state * 256 + byte] = delta[state * 256 + byte + 0x20] as number;
      }
    }

    // A transition into a state where keywords end is stored as ~state (negative), so the scan
    // loop needs one load and one sign test per byte.
    for (let i = 0; i < delta.length; i++) {
      const target = delta[i] as number;
      if ((out[target] as number[]).length > 0) delta[i] = ~target;
    }
    // Most keyword sets fit 16-bit states: half the table, fewer cache misses in the scan loop.
    this.delta = states < 0x7fff ? Int16Array.from(delta) : delta;
    this.outStart = new Int32Array(states + 1);
    let total = 0;
    for (let state = 0; state < states; state++) {
      this.outStart[state] = total;
      total += (out[state] as number[]).length;
    }
    this.outStart[states] = total;
    this.outputs = new Int32Array(total);
    let k = 0;
    for (const list of out) for (const index of list) this.outputs[k++] = index;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Reports every occurrence in `data`, in order of end offset. */
  scan(data: Uint8Array, onHit: HitHandler): void {
    const delta = this.delta;
    let state = 0;
    const n = data.length;
    for (let i = 0; i < n; i++) {
      state = delta[(state << 8) | (data[i] as number)] as number;
      if (state < 0) {
        state = ~state;
        this.report(data, state, i + 1, onHit);
      }
    }
  }

  private report(data: Uint8Array, state: number, end: number, onHit: HitHandler): void {
    const to = this.outStart[state + 1] as number;
    for (let o = this.outStart[state] as number; o < to; o++) {
      const keyword = this.outputs[o] as number;
      if (this.caseSensitive[keyword] === true && !this.exactAt(data, keyword, end)) continue;
      onHit(keyword, end);
    }
  }

  private exactAt(data: Uint8Array, keyword: number, end: number): boolean {
    const word = this.bytes[keyword] as Uint8Array;
    const start = end - word.length;
    for (let j = 0; j < word.length; j++) if (data[start + j] !== word[j]) return false;
    return true;
  }
}

function fold(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}

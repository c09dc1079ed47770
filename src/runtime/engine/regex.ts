/**
 * The `regex` operator. libsinsp uses RE2 (linear time) and requires the whole value to
 * match; JavaScript's backtracking RegExp would let a crafted command line stall the engine,
 * so this is a small Thompson-NFA (Pike VM) matcher: time is O(pattern × text), always.
 *
 * Syntax: literals, `.`, `[...]` classes (ranges, negation, `[:alpha:]`-style POSIX classes,
 * `\d\w\s` and their negations), groups `(...)` `(?:...)`, alternation, `* + ? {n} {n,} {n,m}`
 * (lazy forms accepted; they match the same set of strings), anchors `^ $ \A \z \b \B`, and the
 * flags `(?i)`, `(?s)`, `(?m)`, also scoped as `(?i:...)`.
 */

const MAX_PATTERN_LENGTH = 4096;
const MAX_REPEAT = 1000;
const MAX_PROGRAM = 100_000;

type CharTest = (c: number) => boolean;
type AssertKind = 'bol' | 'eol' | 'begin' | 'end' | 'word' | 'notword';

type Node =
  | { readonly t: 'char'; readonly test: CharTest }
  | { readonly t: 'cat'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly items: readonly Node[] }
  | { readonly t: 'rep'; readonly node: Node; readonly min: number; readonly max: number }
  | { readonly t: 'assert'; readonly kind: AssertKind }
  | { readonly t: 'empty' };

interface Flags {
  readonly i: boolean;
  readonly s: boolean;
  readonly m: boolean;
}

export class RegexSyntaxError extends Error {}

const isWord = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

const POSIX_CLASSES: Readonly<Record<string, CharTest>> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: isDigit,
  alnum: (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: isSpace,
  blank: (c) => c === 32 || c === 9,
  punct: (c) =>
    (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  xdigit: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
  word: isWord,
  print: (c) => c >= 32 && c <= 126,
  graph: (c) => c >= 33 && c <= 126,
  cntrl: (c) => c < 32 || c === 127,
  ascii: (c) => c < 128,
};

function foldCase(test: CharTest): CharTest {
  return (c) => {
    if (test(c)) return true;
    if (c >= 65 && c <= 90) return test(c + 32);
    if (c >= 97 && c <= 122) return test(c - 32);
    return false;
  };
}

class RegexParser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation({ i: false, s: false, m: false });
    if (this.pos < this.src.length) throw this.fail(`unexpected '${this.src[this.pos]}'`);
    return node;
  }

  private fail(message: string): RegexSyntaxError {
    return new RegexSyntaxError(`${message} at offset ${this.pos}`);
  }

  private alternation(flags: Flags): Node {
    const items = [this.concat(flags)];
    while (this.src[this.pos] === '|') {
      this.pos++;
      items.push(this.concat(flags));
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  private concat(initial: Flags): Node {
    let flags = initial;
    const items: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      // `(?i)` changes the flags for the rest of the enclosing group.
      const set = this.flagSetting(flags);
      if (set !== undefined) {
        flags = set;
        continue;
      }
      items.push(this.repeat(this.atom(flags)));
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? (items[0] as Node) : { t: 'cat', items };
  }

  private flagSetting(flags: Flags): Flags | undefined {
    const m = /^\(\?([ims]*)(?:-([ims]*))?\)/.exec(this.src.slice(this.pos, this.pos + 12));
    if (m === null) return undefined;
    this.pos += m[0].length;
    return applyFlags(flags, m[1] ?? '', m[2] ?? '');
  }

  private repeat(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.src[this.pos];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
      else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 16));
        if (m === null) return node;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
        if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT)) {
          throw this.fail(`repetition count above ${MAX_REPEAT}`);
        }
        if (max < min) throw this.fail('invalid repetition range');
        this.pos += m[0].length - 1;
      } else return node;
      this.pos++;
      if (this.src[this.pos] === '?') this.pos++;
      if (node.t === 'assert' || node.t === 'empty') throw this.fail('nothing to repeat');
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(flags: Flags): Node {
    const c = this.src[this.pos] as string;
    this.pos++;
    switch (c) {
      case '(': {
        let inner = flags;
        if (this.src.startsWith('?:', this.pos)) this.pos += 2;
        else if (this.src[this.pos] === '?') {
          const m = /^\?([ims]*)(?:-([ims]*))?:/.exec(this.src.slice(this.pos, this.pos + 12));
          if (m === null) throw this.fail('unsupported group syntax');
          this.pos += m[0].length;
          inner = applyFlags(flags, m[1] ?? '', m[2] ?? '');
        }
        const node = this.alternation(inner);
        if (this.src[this.pos] !== ')') throw this.fail("missing ')'");
        this.pos++;
        return node;
      }
      case ')':
        throw this.fail("unmatched ')'");
      case '.':
        return { t: 'char', test: flags.s ? () => true : (x) => x !== 10 };
      case '^':
        return { t: 'assert', kind: flags.m ? 'bol' : 'begin' };
      case '$':
        return { t: 'assert', kind: flags.m ? 'eol' : 'end' };
      case '[':
        return this.charClass(flags);
      case '\\':
        return this.escape(flags);
      case '*':
      case '+':
      case '?':
        throw this.fail('nothing to repeat');
      default:
        return this.literal(c.charCodeAt(0), flags);
    }
  }

  private literal(code: number, flags: Flags): Node {
    const test: CharTest = (x) => x === code;
    return { t: 'char', test: flags.i ? foldCase(test) : test };
  }

  private escape(flags: Flags): Node {
    const c = this.src[this.pos];
    if (c === undefined) throw this.fail('trailing backslash');
    this.pos++;
    switch (c) {
      case 'A':
        return { t: 'assert', kind: 'begin' };
      case 'z':
        return { t: 'assert', kind: 'end' };
      case 'b':
        return { t: 'assert', kind: 'word' };
      case 'B':
        return { t: 'assert', kind: 'notword' };
      default: {
        const test = this.escapeTest(c);
        return { t: 'char', test: flags.i ? foldCase(test) : test };
      }
    }
  }

  /** A character escape usable both outside and inside classes. */
  private escapeTest(c: string): CharTest {
    switch (c) {
      case 'd':
        return isDigit;
      case 'D':
        return (x) => !isDigit(x);
      case 'w':
        return isWord;
      case 'W':
        return (x) => !isWord(x);
      case 's':
        return isSpace;
      case 'S':
        return (x) => !isSpace(x);
      case 'n':
        return (x) => x === 10;
      case 'r':
        return (x) => x === 13;
      case 't':
        return (x) => x === 9;
      case 'f':
        return (x) => x === 12;
      case 'v':
        return (x) => x === 11;
      case 'x': {
        const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(this.src.slice(this.pos, this.pos + 9));
        if (m === null) throw this.fail('invalid \\x escape');
        this.pos += m[0].length;
        const code = Number.parseInt(m[1] ?? m[2] ?? '0', 16);
        return (x) => x === code;
      }
      default: {
        if (/[a-zA-Z0-9]/.test(c)) throw this.fail(`unsupported escape \\${c}`);
        const code = c.charCodeAt(0);
        return (x) => x === code;
      }
    }
  }

  private charClass(flags: Flags): Node {
    let negate = false;
    if (this.src[this.pos] === '^') {
      negate = true;
      this.pos++;
    }
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) throw this.fail("missing ']'");
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && this.src[this.pos + 1] === ':') {
        const end = this.src.indexOf(':]', this.pos + 2);
        const name = end < 0 ? '' : this.src.slice(this.pos + 2, end);
        const test = POSIX_CLASSES[name];
        if (test === undefined) throw this.fail(`unknown character class [:${name}:]`);
        tests.push(test);
        this.pos = end + 2;
        continue;
      }
      const lo = this.classChar();
      if (lo.code !== undefined && this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']') {
        this.pos++;
        const hi = this.classChar();
        if (hi.code === undefined || hi.code < lo.code) throw this.fail('invalid class range');
        const a = lo.code;
        const b = hi.code;
        tests.push((x) => x >= a && x <= b);
      } else {
        tests.push(lo.test);
      }
    }
    const inClass: CharTest = (x) => tests.some((t) => t(x));
    const folded = flags.i ? foldCase(inClass) : inClass;
    return { t: 'char', test: negate ? (x) => !folded(x) : folded };
  }

  private classChar(): { test: CharTest; code?: number } {
    const c = this.src[this.pos] as string;
    this.pos++;
    if (c !== '\\') {
      const code = c.charCodeAt(0);
      return { test: (x) => x === code, code };
    }
    const e = this.src[this.pos];
    if (e === undefined) throw this.fail('trailing backslash');
    this.pos++;
    if (!/[a-zA-Z0-9]/.test(e)) {
      const code = e.charCodeAt(0);
      return { test: (x) => x === code, code };
    }
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11 };
    const code = simple[e];
    if (code !== undefined) return { test: (x) => x === code, code };
    return { test: this.escapeTest(e) };
  }
}

function applyFlags(flags: Flags, on: string, off: string): Flags {
  return {
    i: (flags.i || on.includes('i')) && !off.includes('i'),
    s: (flags.s || on.includes('s')) && !off.includes('s'),
    m: (flags.m || on.includes('m')) && !off.includes('m'),
  };
}

const Op = { Char: 0, Split: 1, Jmp: 2, Assert: 3, Match: 4 } as const;
type OpCode = (typeof Op)[keyof typeof Op];

interface Instr {
  op: OpCode;
  test?: CharTest;
  assert?: AssertKind;
  x: number;
  y: number;
}

class Compiler {
  readonly prog: Instr[] = [];

  private emit(instr: Instr): number {
    if (this.prog.length >= MAX_PROGRAM) throw new RegexSyntaxError('pattern is too complex');
    this.prog.push(instr);
    return this.prog.length - 1;
  }

  /** Emits code for `node`; returns nothing, the next instruction follows it. */
  compile(node: Node): void {
    switch (node.t) {
      case 'empty':
        return;
      case 'char':
        this.emit({ op: Op.Char, test: node.test, x: this.prog.length + 1, y: 0 });
        return;
      case 'assert':
        this.emit({ op: Op.Assert, assert: node.kind, x: this.prog.length + 1, y: 0 });
        return;
      case 'cat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt': {
        const jumps: Instr[] = [];
        for (let k = 0; k < node.items.length - 1; k++) {
          const split = this.prog[this.emit({ op: Op.Split, x: 0, y: 0 })] as Instr;
          split.x = this.prog.length;
          this.compile(node.items[k] as Node);
          jumps.push(this.prog[this.emit({ op: Op.Jmp, x: 0, y: 0 })] as Instr);
          split.y = this.prog.length;
        }
        this.compile(node.items[node.items.length - 1] as Node);
        for (const j of jumps) j.x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < node.min; k++) this.compile(node.node);
        if (node.max === Number.POSITIVE_INFINITY) {
          const loop = this.emit({ op: Op.Split, x: 0, y: 0 });
          (this.prog[loop] as Instr).x = this.prog.length;
          this.compile(node.node);
          this.emit({ op: Op.Jmp, x: loop, y: 0 });
          (this.prog[loop] as Instr).y = this.prog.length;
          return;
        }
        const splits: Instr[] = [];
        for (let k = node.min; k < node.max; k++) {
          const split = this.prog[this.emit({ op: Op.Split, x: 0, y: 0 })] as Instr;
          split.x = this.prog.length;
          splits.push(split);
          this.compile(node.node);
        }
        for (const s of splits) s.y = this.prog.length;
        return;
      }
    }
  }
}

export type RegexMatcher = (text: string) => boolean;

/** Compiles a pattern that must match the whole value; throws {@link RegexSyntaxError}. */
export function compileRegex(pattern: string): RegexMatcher {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RegexSyntaxError(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  const compiler = new Compiler();
  compiler.compile(new RegexParser(pattern).parse());
  compiler.prog.push({ op: Op.Match, x: 0, y: 0 });
  const prog = compiler.prog;
  const size = prog.length;
  const mark = new Uint32Array(size);
  let generation = 0;
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  const stack = new Int32Array(size * 2 + 2);

  const assertHolds = (kind: AssertKind, text: string, pos: number): boolean => {
    switch (kind) {
      case 'begin':
        return pos === 0;
      case 'end':
        return pos === text.length;
      case 'bol':
        return pos === 0 || text.charCodeAt(pos - 1) === 10;
      case 'eol':
        return pos === text.length || text.charCodeAt(pos) === 10;
      default: {
        const before = pos > 0 && isWord(text.charCodeAt(pos - 1));
        const after = pos < text.length && isWord(text.charCodeAt(pos));
        return kind === 'word' ? before !== after : before === after;
      }
    }
  };

  /** Adds the epsilon closure of `pc` to `list`; returns the new list length. */
  const addThread = (list: Int32Array, length: number, pc: number, text: string, pos: number): number => {
    let sp = 0;
    stack[sp++] = pc;
    let len = length;
    while (sp > 0) {
      const at = stack[--sp] as number;
      if (mark[at] === generation) continue;
      mark[at] = generation;
      const ins = prog[at] as Instr;
      switch (ins.op) {
        case Op.Jmp:
          stack[sp++] = ins.x;
          break;
        case Op.Split:
          stack[sp++] = ins.y;
          stack[sp++] = ins.x;
          break;
        case Op.Assert:
          if (assertHolds(ins.assert as AssertKind, text, pos)) stack[sp++] = ins.x;
          break;
        default:
          list[len++] = at;
      }
    }
    return len;
  };

  const step = (): void => {
    if (generation === 0xffffffff) {
      mark.fill(0);
      generation = 0;
    }
    generation++;
  };

  return (text) => {
    step();
    let clen = addThread(current, 0, 0, text, 0);
    for (let pos = 0; pos < text.length && clen > 0; pos++) {
      const c = text.charCodeAt(pos);
      step();
      let nlen = 0;
      for (let k = 0; k < clen; k++) {
        const ins = prog[current[k] as number] as Instr;
        if (ins.op === Op.Char && (ins.test as CharTest)(c))
          nlen = addThread(next, nlen, ins.x, text, pos + 1);
      }
      [current, next] = [next, current];
      clen = nlen;
    }
    for (let k = 0; k < clen; k++) if ((prog[current[k] as number] as Instr).op === Op.Match) return true;
    return false;
  };
}

import { CeranaError } from '../../common/errors.js';

/**
 * Secret rules come from a built-in file and from users (`--secret-config`), and run over
 * untrusted file contents with V8's backtracking engine. This module is the gate every rule
 * regex passes: it accepts only patterns whose work per start position is bounded, so a scan
 * stays linear in the input whatever the input is.
 *
 * Accepted: literals, classes, `.`, anchors, `\b`, lookarounds, groups, alternation, and
 * quantifiers with an explicit upper bound. Rejected, with a message naming the fix:
 * unbounded quantifiers (`*`, `+`, `{n,}`), a repeated group that itself contains a
 * quantifier or an alternation (the shape of catastrophic backtracking), back-references,
 * and patterns whose estimated steps per start position (backtracking paths times the
 * longest match) exceed a budget.
 *
 * Leading inline flags in the Go/PCRE style that rule authors know (`(?i)`, `(?m)`, `(?s)`)
 * become JavaScript flags; `(?P<name>` becomes `(?<name>`.
 */

export interface SafeRegex {
  /** JavaScript source, flags stripped. */
  source: string;
  /** JavaScript flags from inline `(?i)` style prefixes, without `g`/`d`. */
  flags: string;
  /** Longest text a match (lookarounds included) can span. */
  maxLength: number;
  /** Upper bound of backtracking paths explored from one start position. */
  cost: number;
}

export interface SafetyLimits {
  /** Largest upper bound a single quantifier may have. */
  maxRepeat: number;
  /** Largest span a whole match may cover. */
  maxLength: number;
  /** Budget of steps per start position: backtracking paths times the longest match. */
  maxWork: number;
}

export const DEFAULT_SAFETY_LIMITS: SafetyLimits = { maxRepeat: 4096, maxLength: 16_384, maxWork: 2_000_000 };

/** ASCII characters as a 128-bit set, plus one flag for everything beyond ASCII. */
class CharSet {
  constructor(
    readonly bits: Uint32Array = new Uint32Array(4),
    public high = false,
  ) {}

  static of(...codes: number[]): CharSet {
    const set = new CharSet();
    for (const c of codes) set.add(c);
    return set;
  }

  static all(): CharSet {
    return new CharSet(new Uint32Array([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]), true);
  }

  add(code: number): void {
    if (code >= 128) this.high = true;
    else
      (this.bits as Uint32Array)[code >> 5] = ((this.bits[code >> 5] as number) | (1 << (code & 31))) >>> 0;
  }

  addRange(from: number, to: number): void {
    for (let c = from; c <= Math.min(to, 127); c++) this.add(c);
    if (to >= 128) this.high = true;
  }

  union(other: CharSet): CharSet {
    const bits = new Uint32Array(4);
    for (let i = 0; i < 4; i++) bits[i] = ((this.bits[i] as number) | (other.bits[i] as number)) >>> 0;
    return new CharSet(bits, this.high || other.high);
  }

  complement(): CharSet {
    const bits = new Uint32Array(4);
    for (let i = 0; i < 4; i++) bits[i] = ~(this.bits[i] as number) >>> 0;
    return new CharSet(bits, true);
  }

  intersects(other: CharSet): boolean {
    if (this.high && other.high) return true;
    for (let i = 0; i < 4; i++) if (((this.bits[i] as number) & (other.bits[i] as number)) !== 0) return true;
    return false;
  }

  /** Adds the other case of every ASCII letter (the `i` flag). */
  folded(): CharSet {
    const out = new CharSet(new Uint32Array(this.bits), this.high);
    for (let c = 65; c <= 90; c++) {
      if (this.has(c)) out.add(c + 32);
      if (this.has(c + 32)) out.add(c);
    }
    return out;
  }

  private has(code: number): boolean {
    return (((this.bits[code >> 5] as number) >>> (code & 31)) & 1) === 1;
  }
}

const DIGIT = (() => {
  const s = new CharSet();
  s.addRange(48, 57);
  return s;
})();
const WORD = (() => {
  const s = DIGIT.union(new CharSet());
  s.addRange(65, 90);
  s.addRange(97, 122);
  s.add(95);
  return s;
})();
// \s also matches a few Unicode spaces; leaving them out keeps `\s` and `[^\s]` disjoint, which is
// what matters for the backtracking estimate.
const SPACE = CharSet.of(9, 10, 11, 12, 13, 32);
const DOT = CharSet.of(10, 13).complement();

type Ast =
  | { kind: 'char'; set: CharSet }
  | { kind: 'assert' }
  | { kind: 'look'; child: Ast }
  | { kind: 'seq'; items: Ast[] }
  | { kind: 'alt'; branches: Ast[] }
  | { kind: 'quant'; child: Ast; min: number; max: number };

interface Facts {
  /** Longest span matched (lookaround contents included, to size scan windows). */
  max: number;
  /** Backtracking paths per start position beyond a linear scan. */
  cost: number;
  nullable: boolean;
  /** Characters a non-empty match can begin with. */
  first: CharSet;
  /** Characters anywhere in a match (for quantified atoms: what the repetition can eat). */
  chars: CharSet;
  quantified: boolean;
  alternates: boolean;
}

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
    private readonly what: string,
  ) {}

  parse(): Ast {
    const node = this.alternation();
    if (this.pos < this.src.length) this.fail(`unbalanced ')' at offset ${this.pos}`);
    return node;
  }

  fail(message: string, hint?: string): never {
    throw new CeranaError('INPUT', `${this.what}: ${message}`, hint === undefined ? {} : { hint });
  }

  private alternation(): Ast {
    const branches = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? (branches[0] as Ast) : { kind: 'alt', branches };
  }

  private sequence(): Ast {
    const items: Ast[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atom = this.atom();
      const q = this.quantifier();
      items.push(q === undefined ? atom : { kind: 'quant', child: atom, min: q.min, max: q.max });
    }
    return { kind: 'seq', items };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.src[this.pos];
    let result: { min: number; max: number } | undefined;
    if (c === '*' || c === '+') {
      this.fail(
        `unbounded quantifier '${c}' at offset ${this.pos}`,
        'use a bounded repetition such as {0,64}',
      );
    } else if (c === '?') {
      this.pos++;
      result = { min: 0, max: 1 };
    } else if (c === '{') {
      const m = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(this.src.slice(this.pos, this.pos + 16));
      if (m === null) this.fail(`a literal '{' at offset ${this.pos} must be escaped as \\{`);
      const min = Number(m[1]);
      if (m[2] !== undefined && m[3] === '') {
        this.fail(
          `unbounded quantifier '${m[0]}' at offset ${this.pos}`,
          `use {${min},N} with an upper bound`,
        );
      }
      const max = m[3] === undefined ? min : Number(m[3]);
      if (max < min) this.fail(`quantifier '${m[0]}' has its bounds reversed`);
      this.pos += m[0].length;
      result = { min, max };
    }
    if (result !== undefined && this.src[this.pos] === '?') this.pos++; // lazy: same bounds
    if (result !== undefined && /[*+?{]/.test(this.src[this.pos] ?? ''))
      this.fail(`stacked quantifiers at offset ${this.pos}`);
    return result;
  }

  private char(set: CharSet): Ast {
    return { kind: 'char', set: this.ignoreCase ? set.folded() : set };
  }

  private atom(): Ast {
    const c = this.src[this.pos] as string;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.char(this.charClass());
      case '\\':
        return this.escape();
      case '^':
      case '$':
        this.pos++;
        return { kind: 'assert' };
      case '.':
        this.pos++;
        return this.char(DOT);
      case '*':
      case '+':
      case '?':
        return this.fail(`quantifier '${c}' with nothing to repeat at offset ${this.pos}`);
      case '{':
        return this.fail(`a literal '{' at offset ${this.pos} must be escaped as \\{`);
      default:
        this.pos++;
        return this.char(CharSet.of(c.charCodeAt(0)));
    }
  }

  private group(): Ast {
    const start = this.pos;
    this.pos++; // (
    let look = false;
    if (this.src[this.pos] === '?') {
      const rest = this.src.slice(this.pos, this.pos + 4);
      if (rest.startsWith('?:')) this.pos += 2;
      else if (rest.startsWith('?=') || rest.startsWith('?!')) {
        this.pos += 2;
        look = true;
      } else if (rest.startsWith('?<=') || rest.startsWith('?<!')) {
        this.pos += 3;
        look = true;
      } else if (rest.startsWith('?<')) {
        const m = /^\?<[A-Za-z_][A-Za-z0-9_]{0,63}>/.exec(this.src.slice(this.pos, this.pos + 70));
        if (m === null) this.fail(`invalid group name at offset ${start}`);
        this.pos += m[0].length;
      } else this.fail(`unsupported group syntax at offset ${start}`);
    }
    const inner = this.alternation();
    if (this.src[this.pos] !== ')') this.fail(`unterminated group opened at offset ${start}`);
    this.pos++;
    return look ? { kind: 'look', child: inner } : inner;
  }

  private charClass(): CharSet {
    const start = this.pos;
    this.pos++; // [
    const negated = this.src[this.pos] === '^';
    if (negated) this.pos++;
    let set = new CharSet();
    let first = true;
    while (this.pos < this.src.length && (this.src[this.pos] !== ']' || first)) {
      first = false;
      const from = this.classAtom();
      if (typeof from !== 'number') {
        set = set.union(from);
        continue;
      }
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const to = this.classAtom();
        if (typeof to !== 'number' || to < from)
          this.fail(`invalid range in character class at offset ${start}`);
        set.addRange(from, to);
      } else set.add(from);
    }
    if (this.src[this.pos] !== ']') this.fail(`unterminated character class opened at offset ${start}`);
    this.pos++;
    return negated ? set.complement() : set;
  }

  /** One class member: a code point, or a set for \d \w \s and friends. */
  private classAtom(): number | CharSet {
    const c = this.src[this.pos] as string;
    if (c !== '\\') {
      this.pos++;
      return c.charCodeAt(0);
    }
    const e = this.src[this.pos + 1];
    if (e === undefined) this.fail('a pattern may not end with a backslash');
    this.pos += 2;
    switch (e) {
      case 'd':
        return DIGIT;
      case 'D':
        return DIGIT.complement();
      case 'w':
        return WORD;
      case 'W':
        return WORD.complement();
      case 's':
        return SPACE;
      case 'S':
        return SPACE.complement();
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case '0':
        return 0;
      case 'b':
        return 8;
      case 'x':
      case 'u': {
        const len = e === 'x' ? 2 : 4;
        const hex = this.src.slice(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex))
          this.fail(`invalid \\${e} escape at offset ${this.pos - 2}`);
        this.pos += len;
        return Number.parseInt(hex, 16);
      }
      case 'c':
        this.pos++;
        return 0;
      default:
        return e.charCodeAt(0);
    }
  }

  private escape(): Ast {
    const next = this.src[this.pos + 1];
    if (next === undefined) this.fail('a pattern may not end with a backslash');
    if (/[1-9]/.test(next) || next === 'k') {
      this.fail(`back-reference at offset ${this.pos}`, 'back-references make matching non-linear');
    }
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return { kind: 'assert' };
    }
    const member = this.classAtom();
    return this.char(typeof member === 'number' ? CharSet.of(member) : member);
  }
}

const EMPTY = new CharSet();

/**
 * Facts about a node given `follow`, the characters that may come right after it. A variable
 * repetition multiplies the backtracking paths only when what it repeats can also begin what
 * follows (`\s{0,4}\s{0,4}`); when they are disjoint (`[a-z]{10,40}\.`) the engine backtracks
 * at most linearly, which the window size already bounds.
 */
function analyze(node: Ast, follow: CharSet, limits: SafetyLimits, fail: Parser['fail']): Facts {
  switch (node.kind) {
    case 'char':
      return {
        max: 1,
        cost: 1,
        nullable: false,
        first: node.set,
        chars: node.set,
        quantified: false,
        alternates: false,
      };
    case 'assert':
      return {
        max: 0,
        cost: 1,
        nullable: true,
        first: EMPTY,
        chars: EMPTY,
        quantified: false,
        alternates: false,
      };
    case 'look': {
      const inner = analyze(node.child, EMPTY, limits, fail);
      return { ...inner, nullable: true, first: EMPTY, chars: EMPTY };
    }
    case 'alt': {
      const parts = node.branches.map((b) => analyze(b, follow, limits, fail));
      return {
        max: Math.max(...parts.map((p) => p.max)),
        cost: Math.min(
          parts.reduce((sum, p) => sum + p.cost, 0),
          Number.MAX_SAFE_INTEGER,
        ),
        nullable: parts.some((p) => p.nullable),
        first: parts.reduce((u, p) => u.union(p.first), new CharSet()),
        chars: parts.reduce((u, p) => u.union(p.chars), new CharSet()),
        quantified: parts.some((p) => p.quantified),
        alternates: true,
      };
    }
    case 'seq': {
      const facts: Facts[] = new Array(node.items.length);
      let after = follow;
      for (let i = node.items.length - 1; i >= 0; i--) {
        const f = analyze(node.items[i] as Ast, after, limits, fail);
        facts[i] = f;
        after = f.nullable ? f.first.union(after) : f.first;
      }
      let first = new CharSet();
      let nullable = true;
      for (const f of facts) {
        if (!nullable) break;
        first = first.union(f.first);
        nullable = f.nullable;
      }
      return {
        max: facts.reduce((sum, f) => sum + f.max, 0),
        cost: facts.reduce((product, f) => Math.min(product * f.cost, Number.MAX_SAFE_INTEGER), 1),
        nullable,
        first,
        chars: facts.reduce((u, f) => u.union(f.chars), new CharSet()),
        quantified: facts.some((f) => f.quantified),
        alternates: facts.some((f) => f.alternates),
      };
    }
    case 'quant': {
      const { min, max } = node;
      if (node.child.kind === 'assert' || node.child.kind === 'look')
        fail('a quantifier on an assertion or lookaround');
      if (max > limits.maxRepeat) fail(`repetition bound ${max} exceeds ${limits.maxRepeat}`);
      const inner = analyze(node.child, follow, limits, fail);
      if (max > 1 && (inner.quantified || inner.alternates)) {
        fail(
          'a repeated group contains a quantifier or an alternation (catastrophic backtracking)',
          'repeat a character class instead, e.g. [A-Za-z0-9_-]{10,40}',
        );
      }
      const variable = min !== max;
      const overlaps = variable && inner.chars.intersects(follow);
      return {
        max: inner.max * max,
        cost: overlaps ? Math.min(inner.cost * (max - min + 1), Number.MAX_SAFE_INTEGER) : inner.cost,
        nullable: min === 0 || inner.nullable,
        first: inner.first,
        chars: inner.chars,
        quantified: inner.quantified || variable,
        alternates: inner.alternates,
      };
    }
  }
}

const INLINE_FLAGS = /^\(\?([ims]{1,3})\)/;

/** Validates a rule regex and returns its JavaScript form; throws CeranaError('INPUT') when unsafe. */
export function checkRegex(
  pattern: string,
  what: string,
  limits: SafetyLimits = DEFAULT_SAFETY_LIMITS,
): SafeRegex {
  let source = pattern;
  let flags = '';
  const inline = INLINE_FLAGS.exec(source);
  if (inline !== null) {
    flags = [...new Set(inline[1])].sort().join('');
    source = source.slice(inline[0].length);
  }
  source = source.replaceAll('(?P<', '(?<');
  if (source.length === 0) throw new CeranaError('INPUT', `${what}: empty regex`);
  if (source.length > 8192) throw new CeranaError('INPUT', `${what}: regex longer than 8192 characters`);
  const parser = new Parser(source, flags.includes('i'), what);
  const node = analyze(parser.parse(), EMPTY, limits, parser.fail.bind(parser));
  if (node.max > limits.maxLength) {
    throw new CeranaError(
      'INPUT',
      `${what}: a match may span ${node.max} characters (limit ${limits.maxLength})`,
    );
  }
  if (node.cost * Math.max(node.max, 1) > limits.maxWork) {
    const work = node.cost * node.max;
    throw new CeranaError(
      'INPUT',
      `${what}: up to ${work} steps per start position (limit ${limits.maxWork})`,
      {
        hint: 'narrow the variable-length repetitions or split the rule',
      },
    );
  }
  try {
    new RegExp(source, flags);
  } catch (error) {
    throw new CeranaError('INPUT', `${what}: ${(error as Error).message}`);
  }
  return { source, flags, maxLength: node.max, cost: node.cost };
}

import {
  type Expr,
  type FieldOperand,
  type FieldRef,
  type ListValue,
  type Loc,
  type Operator,
  type RightOperand,
  type SourceText,
  TRANSFORMERS,
  type TransformerName,
} from './ast.js';
import { FilterError } from './filter-error.js';

/**
 * Recursive-descent parser for the libsinsp filter grammar:
 *
 *   Expr      ::= OrExpr
 *   OrExpr    ::= AndExpr ('or' (' ' AndExpr | '(' Expr ')'))*
 *   AndExpr   ::= NotExpr ('and' (' ' NotExpr | '(' Expr ')'))*
 *   NotExpr   ::= ('not ')* ('not(' Expr ')' | Check)
 *   Check     ::= Field Condition | Transformer Condition | Identifier | '(' Expr ')'
 *   Transformer ::= ('tolower(' | 'toupper(' | 'b64(' | 'basename(' | 'len(') (Transformer | Field) ')'
 *   Condition ::= 'exists'
 *               | NumOp (NumValue | Transformer | 'val(' Field ')')
 *               | StrOp (StrValue | Transformer | 'val(' Field ')')
 *               | ListOp (ListValue | Transformer | 'val(' Field ')')
 *   ListValue ::= '(' (StrValue (',' StrValue)*)? ')' | Identifier
 *   Field     ::= FieldName ('[' (QuotedStr | FieldArgBareStr) ']')?
 *
 * Identifiers in a Check position are macro references; bare identifiers after a list
 * operator are list references. Both are resolved later by the loader.
 */

const MAX_DEPTH = 1000;

const NOT_BLANK_RE = /not[ \b\t\n\r]+/y;
const IDENTIFIER_RE = /[a-zA-Z]+[a-zA-Z0-9_]*/y;
const FIELD_NAME_RE = /[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const FIELD_ARG_BARE_RE = /[^ \b\t\n\r[\]"']+/y;
const HEX_NUMBER_RE = /0[xX][0-9a-zA-Z]+/y;
const NUMBER_RE = /[+-]?[0-9]+\.?[0-9]*(?:[eE][+-][0-9]+)?/y;
const BARE_STR_RE = /[^ \b\t\n\r(),="']+/y;
const IDENT_CHAR_RE = /[a-zA-Z0-9_]/;

const NUM_OPS: readonly Operator[] = ['<=', '<', '>=', '>'];
const SYMBOL_STR_OPS: readonly Operator[] = ['==', '=', '!='];
const WORD_STR_OPS: readonly Operator[] = [
  'bcontains',
  'bstartswith',
  'contains',
  'endswith',
  'glob',
  'icontains',
  'iglob',
  'startswith',
  'regex',
];
const LIST_OPS: readonly Operator[] = ['intersects', 'in', 'pmatch'];

export const OPERATORS: readonly Operator[] = [
  'exists',
  ...NUM_OPS,
  ...SYMBOL_STR_OPS,
  ...WORD_STR_OPS,
  ...LIST_OPS,
];

/** Parses a whole condition; throws {@link FilterError} with the position of the problem. */
export function parseCondition(src: SourceText): Expr {
  return new Parser(src).parse();
}

/** Parses a field operand alone (`proc.aname[2]`, `tolower(fd.name)`), as exception fields are. */
export function parseFieldOperand(src: SourceText): FieldOperand {
  const p = new Parser(src);
  p.skipBlank();
  const operand = p.fieldOperand();
  p.skipBlank();
  if (operand === undefined || !p.atEnd()) throw p.error(`'${src.text}' is not a field`);
  return operand;
}

/** Parses a parenthesized list written as text (`(a, "b c")`), as exception values may be. */
export function parseListText(src: SourceText): ListValue {
  const p = new Parser(src);
  p.skipBlank();
  const list = p.listLiteral();
  p.skipBlank();
  if (list === undefined || !p.atEnd()) throw p.error(`'${src.text}' is not a list like (a, b)`);
  return list;
}

/**
 * Unescapes a quoted string token (with its delimiters), following libsinsp: \b \f \n \r \t
 * \\ \/ and the delimiter's own quote; a backslash before a space stands for itself.
 */
export function unquote(token: string): string | { error: string } {
  const delim = token[0];
  let out = '';
  for (let i = 1; i < token.length - 1; i++) {
    const c = token[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    const e = token[i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case ' ':
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case '"':
      case "'":
        if (e !== delim) return { error: `invalid \\${e} escape in ${delim}-quoted string` };
        out += e;
        break;
      default:
        return { error: `unsupported string escape sequence: \\${e ?? ''}` };
    }
  }
  return out;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private lastToken = '';
  private readonly text: string;

  constructor(private readonly src: SourceText) {
    this.text = src.text;
  }

  parse(): Expr {
    if (this.text.trim().length === 0) throw this.error('the condition is empty');
    const expr = this.or();
    if (!this.atEnd()) {
      const rest = this.text.slice(this.pos, this.pos + 20);
      throw this.error(`unexpected '${rest}' after '${this.lastToken}', expecting 'and', 'or' or the end`);
    }
    return expr;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  error(message: string, offset = this.pos): FilterError {
    return new FilterError(message, this.loc(offset), 'condition-syntax');
  }

  private loc(offset = this.pos): Loc {
    return { src: this.src, offset };
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_DEPTH) throw this.error(`the condition nests deeper than ${MAX_DEPTH} levels`);
  }

  private leave(): void {
    this.depth--;
  }

  skipBlank(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      // space, \t, \n, \r, \b
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 8) this.pos++;
      else break;
    }
    return this.pos > start;
  }

  private lexStr(s: string): boolean {
    if (this.text.startsWith(s, this.pos)) {
      this.pos += s.length;
      this.lastToken = s;
      return true;
    }
    return false;
  }

  private lexRe(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    this.lastToken = m[0];
    return m[0];
  }

  /** A word operator or keyword, which must not run into an identifier character. */
  private lexWord(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    const next = this.text[this.pos + word.length];
    if (next !== undefined && IDENT_CHAR_RE.test(next)) return false;
    this.pos += word.length;
    this.lastToken = word;
    return true;
  }

  private or(): Expr {
    this.enter();
    const at = this.loc();
    this.skipBlank();
    const children = [this.and()];
    this.skipBlank();
    while (this.lexStr('or')) {
      if (this.skipBlank()) children.push(this.and());
      else if (this.lexStr('(')) children.push(this.embeddedRemainder());
      else throw this.error("expected a blank or '(' after 'or'");
      this.skipBlank();
    }
    this.leave();
    return children.length === 1 ? (children[0] as Expr) : { kind: 'or', children, at };
  }

  private and(): Expr {
    this.enter();
    const at = this.loc();
    this.skipBlank();
    const children = [this.not()];
    this.skipBlank();
    while (this.lexStr('and')) {
      if (this.skipBlank()) children.push(this.not());
      else if (this.lexStr('(')) children.push(this.embeddedRemainder());
      else throw this.error("expected a blank or '(' after 'and'");
      this.skipBlank();
    }
    this.leave();
    return children.length === 1 ? (children[0] as Expr) : { kind: 'and', children, at };
  }

  private not(): Expr {
    this.enter();
    this.skipBlank();
    const at = this.loc();
    let negate = false;
    while (this.lexRe(NOT_BLANK_RE) !== undefined) negate = !negate;
    let child: Expr;
    if (this.lexStr('not(')) {
      negate = !negate;
      child = this.embeddedRemainder();
    } else {
      child = this.check();
    }
    this.leave();
    return negate ? { kind: 'not', child, at } : child;
  }

  /** The rest of a parenthesized expression, after its '('. */
  private embeddedRemainder(): Expr {
    this.enter();
    this.skipBlank();
    const child = this.or();
    this.skipBlank();
    if (!this.lexStr(')')) throw this.error("expected a ')'");
    this.leave();
    return child;
  }

  private check(): Expr {
    this.enter();
    this.skipBlank();
    if (this.lexStr('(')) {
      const child = this.embeddedRemainder();
      this.leave();
      return child;
    }
    const at = this.loc();
    const left = this.fieldOperand();
    if (left !== undefined) {
      const expr = this.condition(left, at);
      this.leave();
      return expr;
    }
    const name = this.lexRe(IDENTIFIER_RE);
    if (name !== undefined) {
      this.leave();
      return { kind: 'macro', name, at };
    }
    throw this.error("expected a '(', a field check or a macro name");
  }

  /** A field or a transformer applied to one; undefined when neither starts here. */
  fieldOperand(): FieldOperand | undefined {
    const at = this.loc();
    const fn = this.transformerStart();
    if (fn !== undefined) {
      this.skipBlank();
      const operand = this.fieldOperand();
      if (operand === undefined) throw this.error(`expected a field or a transformer inside ${fn}()`);
      this.skipBlank();
      if (!this.lexStr(')')) throw this.error(`expected a ')' closing ${fn}(`);
      return { kind: 'transform', fn, operand, at };
    }
    return this.field();
  }

  private transformerStart(): TransformerName | undefined {
    for (const fn of TRANSFORMERS) {
      if (this.lexStr(`${fn}(`)) return fn;
    }
    return undefined;
  }

  private field(): FieldRef | undefined {
    const at = this.loc();
    const name = this.lexRe(FIELD_NAME_RE);
    if (name === undefined) return undefined;
    if (!this.lexStr('[')) return { kind: 'field', name, at };
    const arg = this.quotedString() ?? this.lexRe(FIELD_ARG_BARE_RE);
    if (arg === undefined) throw this.error('expected a field argument: a quoted string or a bare string');
    if (!this.lexStr(']')) throw this.error("expected a ']'");
    return { kind: 'field', name, arg, at };
  }

  private condition(left: FieldOperand, at: Loc): Expr {
    this.skipBlank();
    if (this.lexWord('exists')) return { kind: 'check', left, op: 'exists', at };
    for (const op of NUM_OPS) {
      if (this.lexStr(op)) return { kind: 'check', left, op, right: this.numValueOrField(), at };
    }
    for (const op of SYMBOL_STR_OPS) {
      if (this.lexStr(op)) return { kind: 'check', left, op, right: this.strValueOrField(), at };
    }
    for (const op of WORD_STR_OPS) {
      if (this.lexWord(op)) return { kind: 'check', left, op, right: this.strValueOrField(), at };
    }
    for (const op of LIST_OPS) {
      if (this.lexWord(op)) return { kind: 'check', left, op, right: this.listValueOrField(), at };
    }
    throw this.error(`expected an operator: one of ${OPERATORS.map((o) => `'${o}'`).join(', ')}`);
  }

  /** `val(field)` or a transformer, on the right-hand side. */
  private fieldValue(): RightOperand | undefined {
    const at = this.loc();
    if (this.lexStr('val(')) {
      this.skipBlank();
      const field = this.field();
      if (field === undefined) throw this.error('expected a field inside val()');
      this.skipBlank();
      if (!this.lexStr(')')) throw this.error("expected a ')' closing val(");
      return { kind: 'fieldval', field, at };
    }
    const start = this.pos;
    const fn = this.transformerStart();
    if (fn === undefined) return undefined;
    this.pos = start;
    const field = this.fieldOperand() as FieldOperand;
    return { kind: 'fieldval', field, at };
  }

  private numValueOrField(): RightOperand {
    this.skipBlank();
    const at = this.loc();
    const value = this.lexRe(HEX_NUMBER_RE) ?? this.lexRe(NUMBER_RE);
    if (value !== undefined) return { kind: 'value', value, quoted: false, at };
    const field = this.fieldValue();
    if (field !== undefined) return field;
    throw this.error('expected a number');
  }

  private strValueOrField(): RightOperand {
    this.skipBlank();
    const field = this.fieldValue();
    if (field !== undefined) return field;
    const at = this.loc();
    const quoted = this.quotedString();
    if (quoted !== undefined) return { kind: 'value', value: quoted, quoted: true, at };
    const bare = this.lexRe(BARE_STR_RE);
    if (bare !== undefined) return { kind: 'value', value: bare, quoted: false, at };
    throw this.error('expected a value');
  }

  private listValueOrField(): RightOperand {
    this.skipBlank();
    const at = this.loc();
    if (this.lexStr('(')) return this.listRemainder(at);
    const field = this.fieldValue();
    if (field !== undefined) return field;
    const name = this.lexRe(IDENTIFIER_RE);
    if (name !== undefined) return { kind: 'listref', name, at };
    throw this.error("expected a list: '(' or a list name");
  }

  listLiteral(): ListValue | undefined {
    const at = this.loc();
    return this.lexStr('(') ? this.listRemainder(at) : undefined;
  }

  private listRemainder(at: Loc): ListValue {
    const items: { value: string; quoted: boolean; at: Loc }[] = [];
    this.skipBlank();
    if (!this.lexStr(')')) {
      for (;;) {
        this.skipBlank();
        const itemAt = this.loc();
        const quoted = this.quotedString();
        if (quoted !== undefined) items.push({ value: quoted, quoted: true, at: itemAt });
        else {
          const bare = this.lexRe(BARE_STR_RE);
          if (bare === undefined) throw this.error('expected a list value');
          items.push({ value: bare, quoted: false, at: itemAt });
        }
        this.skipBlank();
        if (this.lexStr(')')) break;
        if (!this.lexStr(',')) throw this.error("expected ',' or ')' in the list");
      }
    }
    return { kind: 'list', items, at };
  }

  private quotedString(): string | undefined {
    const delim = this.text[this.pos];
    if (delim !== '"' && delim !== "'") return undefined;
    let i = this.pos + 1;
    while (i < this.text.length) {
      const c = this.text[i];
      if (c === '\\') i += 2;
      else if (c === delim) break;
      else i++;
    }
    if (i >= this.text.length) throw this.error(`unterminated ${delim}-quoted string`);
    const token = this.text.slice(this.pos, i + 1);
    const value = unquote(token);
    if (typeof value !== 'string') throw this.error(value.error);
    this.pos = i + 1;
    this.lastToken = token;
    return value;
  }
}

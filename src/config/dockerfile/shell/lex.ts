/**
 * A small POSIX shell lexer, enough to find the commands a Dockerfile RUN executes: quoting,
 * escapes, `$(...)`/backtick/process substitutions, comments, operators, redirections and
 * here-documents. It never evaluates anything; every token keeps its offsets in the input.
 */

export interface Substitution {
  /** The text inside `$( )`, backticks or `<( )`. */
  text: string;
  /** Offset of `text[0]` in the lexed input. */
  start: number;
}

export interface Word {
  kind: 'word';
  /** The word with quotes and escapes removed; expansions are kept literally (`$HOME`). */
  value: string;
  start: number;
  end: number;
  /** True when any part was quoted. */
  quoted: boolean;
  substitutions: Substitution[];
}

export interface Operator {
  kind: 'op';
  op: '&&' | '||' | ';' | '|' | '|&' | '&' | '(' | ')' | ';;' | '\n';
  start: number;
  end: number;
}

export interface Redirect {
  kind: 'redirect';
  op: string;
  start: number;
  end: number;
  target?: Word;
  /** Body of a here-document (`<<EOF`), when the redirect is one. */
  body?: string;
}

export type Token = Word | Operator | Redirect;

const OPERATORS = ['&&', '||', '|&', ';;', '|', ';', '&', '(', ')'] as const;
const REDIRECTS = ['&>>', '<<<', '<<-', '&>', '>>', '>&', '<&', '<<', '<>', '>|', '>', '<'];
const WORD_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

/** Reads a balanced `$(...)` or `<(...)` body starting just after the opening parenthesis. */
function readBalanced(s: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') i += 2;
    else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      i = close < 0 ? s.length : close + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return i;
      i++;
    } else i++;
  }
  return s.length;
}

export function lex(s: string): Token[] {
  const tokens: Token[] = [];
  const pendingHeredocs: { redirect: Redirect; delimiter: string; stripTabs: boolean }[] = [];
  let i = 0;
  let atWordStart = true;

  const readHeredocBodies = (): void => {
    // i points just after a newline: consume each pending here-document body in order.
    for (const pending of pendingHeredocs.splice(0)) {
      const lines: string[] = [];
      while (i < s.length) {
        const nl = s.indexOf('\n', i);
        const lineEnd = nl < 0 ? s.length : nl;
        let line = s.slice(i, lineEnd);
        i = nl < 0 ? s.length : nl + 1;
        if (pending.stripTabs) line = line.replace(/^\t+/, '');
        if (line.trimEnd() === pending.delimiter) break;
        lines.push(line);
      }
      pending.redirect.body = lines.join('\n');
    }
  };

  while (i < s.length) {
    const c = s[i] as string;
    if (isSpace(c)) {
      i++;
      atWordStart = true;
      continue;
    }
    if (c === '\\' && s[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\n') {
      tokens.push({ kind: 'op', op: '\n', start: i, end: i + 1 });
      i++;
      atWordStart = true;
      if (pendingHeredocs.length > 0) readHeredocBodies();
      continue;
    }
    if (c === '#' && atWordStart) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl;
      continue;
    }
    // Redirections, optionally prefixed by a file descriptor number (2>&1).
    const fd = /^[0-9]*/.exec(s.slice(i, i + 4))?.[0] ?? '';
    const afterFd = i + fd.length;
    const redirect = REDIRECTS.find((r) => s.startsWith(r, afterFd));
    if (
      redirect &&
      !(s[afterFd] === '<' && s[afterFd + 1] === '(') &&
      !(s[afterFd] === '>' && s[afterFd + 1] === '(')
    ) {
      const token: Redirect = { kind: 'redirect', op: redirect, start: i, end: afterFd + redirect.length };
      i = token.end;
      while (isSpace(s[i])) i++;
      const target = readWord();
      if (target) {
        token.target = target;
        token.end = target.end;
        if (redirect === '<<' || redirect === '<<-') {
          pendingHeredocs.push({ redirect: token, delimiter: target.value, stripTabs: redirect === '<<-' });
        }
      }
      tokens.push(token);
      atWordStart = true;
      continue;
    }
    const op = OPERATORS.find((o) => s.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', op, start: i, end: i + op.length });
      i += op.length;
      atWordStart = true;
      continue;
    }
    const word = readWord();
    if (word) tokens.push(word);
    else i++;
    atWordStart = true;
  }
  return tokens;

  function readWord(): Word | undefined {
    const start = i;
    let value = '';
    let quoted = false;
    const substitutions: Substitution[] = [];
    while (i < s.length) {
      const c = s[i] as string;
      if (c === '\\') {
        if (s[i + 1] === '\n') {
          i += 2;
          continue;
        }
        value += s[i + 1] ?? '';
        quoted = true;
        i += 2;
        continue;
      }
      if (c === "'") {
        const close = s.indexOf("'", i + 1);
        const end = close < 0 ? s.length : close;
        value += s.slice(i + 1, end);
        quoted = true;
        i = end + 1;
        continue;
      }
      if (c === '"') {
        quoted = true;
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) {
            const next = s[i + 1] as string;
            if (next === '\n') {
              i += 2;
              continue;
            }
            value += '"\\$`'.includes(next) ? next : `\\${next}`;
            i += 2;
          } else if (s[i] === '$' && s[i + 1] === '(') {
            const close = readBalanced(s, i + 2);
            substitutions.push({ text: s.slice(i + 2, close), start: i + 2 });
            value += s.slice(i, close + 1);
            i = close + 1;
          } else if (s[i] === '`') {
            const close = s.indexOf('`', i + 1);
            const end = close < 0 ? s.length : close;
            substitutions.push({ text: s.slice(i + 1, end), start: i + 1 });
            value += s.slice(i, end + 1);
            i = end + 1;
          } else {
            value += s[i];
            i++;
          }
        }
        i++;
        continue;
      }
      if ((c === '$' || c === '<' || c === '>') && s[i + 1] === '(') {
        if (c !== '$' && i !== start) break;
        const close = readBalanced(s, i + 2);
        substitutions.push({ text: s.slice(i + 2, close), start: i + 2 });
        value += s.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (c === '$' && s[i + 1] === '{') {
        const close = s.indexOf('}', i + 2);
        const end = close < 0 ? s.length : close + 1;
        value += s.slice(i, end);
        i = end;
        continue;
      }
      if (c === '`') {
        const close = s.indexOf('`', i + 1);
        const end = close < 0 ? s.length : close;
        substitutions.push({ text: s.slice(i + 1, end), start: i + 1 });
        value += s.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (WORD_BREAK.has(c) || c === '\r') break;
      value += c;
      i++;
    }
    if (i === start) return undefined;
    return { kind: 'word', value, start, end: i, quoted, substitutions };
  }
}

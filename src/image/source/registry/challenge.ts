/** One `WWW-Authenticate` challenge: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export interface Challenge {
  /** Lower-cased auth scheme: `bearer`, `basic`, ... */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/** Reads a quoted-string starting at `text[0] === '"'`; returns its value and the rest after the closing quote. */
function readQuoted(text: string): [string, string] {
  let value = '';
  let i = 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return [value, text.slice(i + 1)];
}

/**
 * Parses a `WWW-Authenticate` header value into its challenges (RFC 9110 §11.6.1).
 * Several challenges may be comma-separated like parameters are: a token followed by `=`
 * is a parameter of the current challenge, any other token starts a new challenge.
 */
export function parseChallenges(value: string): Challenge[] {
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  let rest = value;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = TOKEN.exec(rest)?.[0];
    if (!name) break;
    rest = rest.slice(name.length);
    const equals = /^\s*=\s*/.exec(rest);
    if (equals && current) {
      rest = rest.slice(equals[0].length);
      let paramValue: string;
      if (rest.startsWith('"')) [paramValue, rest] = readQuoted(rest);
      else {
        // Lenient like Docker: an unquoted value runs to the next comma or space (URLs are not tokens).
        paramValue = /^[^\s,]*/.exec(rest)?.[0] ?? '';
        rest = rest.slice(paramValue.length);
      }
      current.params[name.toLowerCase()] = paramValue;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}

/** What a gemspec says about its gem. */
export interface GemSpec {
  name: string;
  version: string;
  licenses: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[0-9][0-9A-Za-z.-]*$/;
const MAX_TOKEN = 256;

/**
 * Reads an installed gem's specification (`specifications/*.gemspec`) without evaluating Ruby.
 * RubyGems writes these files itself (`Gem::Specification#to_ruby`, as do Debian's gem2deb and
 * Bundler), so their shape is fixed: a `Gem::Specification.new do |s| ... end` block of
 * `s.attribute = literal` lines. Only string literals are read (`"…"`, `'…'`, `%q{…}`, with an
 * optional `.freeze`, or `Gem::Version.new("…")`); anything computed is ignored. When name or
 * version is missing the `# stub: <name> <version> <platform> <paths>` line RubyGems also writes
 * fills in.
 */
export function parseGemspec(text: string): GemSpec | undefined {
  const block = /Gem::Specification\.new\s*(?:do|\{)\s*\|\s*([a-z_][A-Za-z0-9_]*)\s*\|/.exec(text);
  let name: string | undefined;
  let version: string | undefined;
  const licenses: string[] = [];
  if (block?.[1] !== undefined) {
    const variable = block[1];
    const body = text.slice(block.index + block[0].length);
    const assignmentLine = new RegExp(`^\\s*${variable}\\.(name|version|licenses?)\\s*=(.*)$`);
    for (const line of body.split('\n')) {
      const assignment = assignmentLine.exec(line);
      if (!assignment) continue;
      const [, attribute, expression] = assignment as unknown as [string, string, string];
      if (attribute === 'name') name ??= stringLiteral(expression);
      else if (attribute === 'version') version ??= versionLiteral(expression);
      else licenses.push(...stringList(expression));
    }
  }
  if (name === undefined || version === undefined) {
    const stub = /^# stub: (\S+) (\S+)/m.exec(text);
    name ??= stub?.[1];
    version ??= stub?.[2];
  }
  if (name === undefined || version === undefined || !valid(name, NAME) || !valid(version, VERSION))
    return undefined;
  return { name, version, licenses: [...new Set(licenses)] };
}

function valid(value: string, pattern: RegExp): boolean {
  return value.length <= MAX_TOKEN && pattern.test(value);
}

/** `"2.2.4"`, `'x'`, `%q{x}` / `%Q(x)` / `%[x]`, each optionally `.freeze`d. */
export function stringLiteral(expression: string): string | undefined {
  return readLiteral(expression.trim(), 0)?.value;
}

function versionLiteral(expression: string): string | undefined {
  const text = expression.trim();
  const wrapper = 'Gem::Version.new(';
  return stringLiteral(
    text.startsWith(wrapper) && text.endsWith(')') ? text.slice(wrapper.length, -1) : text,
  );
}

/** `["MIT".freeze, "Ruby".freeze]`, or a single literal. */
function stringList(expression: string): string[] {
  const text = expression.trim();
  if (!text.startsWith('[')) {
    const single = stringLiteral(text);
    return single === undefined ? [] : [single];
  }
  const values: string[] = [];
  let at = 1;
  for (;;) {
    while (text[at] === ' ' || text[at] === ',') at++;
    const literal = readLiteral(text, at);
    if (literal === undefined) break;
    values.push(literal.value);
    at = literal.end;
  }
  return values;
}

const CLOSERS: Record<string, string> = { '{': '}', '(': ')', '[': ']', '<': '>' };

/** A string literal starting at `start`; `end` is the index after it (and its `.freeze`). */
function readLiteral(text: string, start: number): { value: string; end: number } | undefined {
  let at = start;
  let close: string;
  let escapes: boolean;
  const first = text[at];
  if (first === '"' || first === "'") {
    close = first;
    escapes = first === '"';
    at++;
  } else if (first === '%') {
    let kind = text[at + 1];
    let open = text[at + 2];
    if (kind !== undefined && /[{([<|!/]/.test(kind)) {
      open = kind;
      kind = 'Q';
      at += 2;
    } else {
      at += 3;
    }
    if ((kind !== 'q' && kind !== 'Q') || open === undefined) return undefined;
    close = CLOSERS[open] ?? open;
    escapes = kind === 'Q';
  } else {
    return undefined;
  }
  let value = '';
  for (; at < text.length; at++) {
    const c = text[at] as string;
    if (c === '\\' && at + 1 < text.length) {
      const next = text[++at] as string;
      value += escapes ? (ESCAPES[next] ?? next) : next === close || next === '\\' ? next : `\\${next}`;
      continue;
    }
    if (c === close) {
      let end = at + 1;
      if (text.startsWith('.freeze', end)) end += '.freeze'.length;
      // Interpolation means the value is computed: not a literal.
      if (escapes && value.includes('#{')) return undefined;
      return { value, end };
    }
    value += c;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', s: ' ', '0': '\0' };

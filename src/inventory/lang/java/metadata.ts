/**
 * The two metadata files a jar can name itself in: Maven's `pom.properties` (Java properties
 * format) and the JAR manifest (`META-INF/MANIFEST.MF`).
 */

/** Java `.properties`: `key=value`, `key: value` or `key value`; `#`/`!` comments; `\` continues a line. */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    const separator = /(?<!\\)(?:[ \t\f]*[=:][ \t\f]*|[ \t\f]+)/.exec(line);
    const key = separator ? line.slice(0, separator.index) : line;
    const value = separator ? line.slice(separator.index + separator[0].length) : '';
    properties.set(unescapeProperty(key), unescapeProperty(value));
  }
  return properties;
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, code: string) => {
    if (code.length === 5) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[code] ?? code;
  });
}

/**
 * The main section of a JAR manifest: `Name: value` lines up to the first blank line, a line
 * starting with one space continuing the previous value (lines wrap at 72 bytes). Names are
 * case-insensitive, so they are lower-cased here.
 */
export function parseManifest(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last !== undefined) {
      attributes.set(last, (attributes.get(last) ?? '') + line.slice(1));
      continue;
    }
    const colon = line.indexOf(': ');
    if (colon <= 0) continue;
    last = line.slice(0, colon).toLowerCase();
    attributes.set(last, line.slice(colon + 2));
  }
  return attributes;
}

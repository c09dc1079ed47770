import { isOneLine, joinPath } from '../manifest.js';

/** PEP 503 normalization: runs of `-`, `_`, `.` become one `-`, lowercased. */
export function normalizePythonName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export interface PythonDistribution {
  name: string;
  version: string;
  licenses: string[];
}

/**
 * Reads the header block of core metadata (METADATA / PKG-INFO): email-style headers up to the
 * first blank line; the body is the long description and is ignored.
 */
export function parseCoreMetadata(text: string): PythonDistribution | undefined {
  const headers = new Map<string, string[]>();
  let lastKey: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && lastKey) {
      const values = headers.get(lastKey) ?? [];
      values[values.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(lastKey) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(lastKey, values);
  }
  const name = headers.get('name')?.[0];
  const version = headers.get('version')?.[0];
  if (!name || !version) return undefined;
  const licenses = new Set<string>();
  for (const expression of headers.get('license-expression') ?? []) licenses.add(expression);
  if (licenses.size === 0) {
    for (const classifier of headers.get('classifier') ?? []) {
      const match = /^License :: (?:OSI Approved :: )?(.+)$/.exec(classifier);
      if (match?.[1]) licenses.add(match[1].trim());
    }
  }
  const license = headers.get('license')?.[0];
  if (
    licenses.size === 0 &&
    license &&
    license !== 'UNKNOWN' &&
    !license.includes('\n') &&
    license.length <= 100
  ) {
    licenses.add(license);
  }
  return { name, version, licenses: [...licenses].sort() };
}

/** Rows a RECORD may hold; far more than any real distribution installs (tens of thousands). */
export const MAX_RECORD_ROWS = 200_000;

/** Longer than any path Linux accepts (PATH_MAX): not a file an installer wrote. */
const MAX_RECORD_PATH = 4096;

export interface RecordFiles {
  /** Image-root-relative paths, `..` resolved; directories that are symlinks are not followed here. */
  paths: string[];
  /** Rows that name no usable file (empty path, control characters, too long, more than three fields). */
  malformed: number;
  /** True when the RECORD held more than MAX_RECORD_ROWS rows and the rest was not read. */
  truncated: boolean;
}

/**
 * The files a dist-info RECORD lists (CSV `path,hash,size`, as Python's csv module writes it:
 * fields holding commas, quotes or line breaks are quoted, quotes doubled). Relative paths
 * start at the site-packages directory holding the `.dist-info` (`../../../bin/tool` for a
 * script), absolute ones at the image root; `..` never climbs above the root. Like
 * importlib.metadata, a row of one or two fields still names a file.
 */
export function parseRecord(text: string, sitePackages: string): RecordFiles {
  const found: RecordFiles = { paths: [], malformed: 0, truncated: false };
  let rows = 0;
  for (const row of csvRows(text)) {
    if (++rows > MAX_RECORD_ROWS) {
      found.truncated = true;
      break;
    }
    const path = row[0] ?? '';
    if (row.length > 3 || path === '' || path.length > MAX_RECORD_PATH || !isOneLine(path)) {
      found.malformed++;
      continue;
    }
    const joined = path.startsWith('/') ? joinPath('', path) : joinPath(sitePackages, path);
    if (joined === '') found.malformed++;
    else found.paths.push(joined);
  }
  return found;
}

/** What ends an unquoted field. */
const SEPARATOR = /[,\r\n]/g;

/**
 * Rows of CSV text as Python's csv reader (excel dialect) returns them; blank lines give no
 * row. Quoted fields may span lines; text after a closing quote joins the field, as the
 * reader does outside strict mode.
 */
export function* csvRows(text: string): Generator<string[]> {
  const end = text.length;
  // Next line feed and carriage return at or after i, found once each: searching again for
  // every row would scan to the end of a file that has none.
  let lf = -1;
  let cr = -1;
  let i = 0;
  while (i < end) {
    if (lf < i) lf = indexOrEnd(text, '\n', i);
    if (cr < i) cr = indexOrEnd(text, '\r', i);
    const lineEnd = Math.min(lf, cr);
    const line = text.slice(i, lineEnd);
    // Most rows hold no quote: a split is the whole parse.
    if (!line.includes('"')) {
      if (line !== '') yield line.split(',');
      i = skipLineBreak(text, lineEnd);
      continue;
    }
    const row: string[] = [];
    let field = '';
    let quoted = false;
    let fieldStart = true;
    // Runs of ordinary characters are sliced, not appended one by one.
    while (i < end) {
      if (quoted) {
        const close = text.indexOf('"', i);
        if (close < 0) {
          field += text.slice(i);
          i = end;
          break;
        }
        field += text.slice(i, close);
        if (text[close + 1] === '"') {
          field += '"';
          i = close + 2;
        } else {
          quoted = false;
          i = close + 1;
        }
        continue;
      }
      const c = text[i] as string;
      if (c === '\n' || c === '\r') break;
      if (c === '"' && fieldStart) {
        quoted = true;
        fieldStart = false;
        i++;
      } else if (c === ',') {
        row.push(field);
        field = '';
        fieldStart = true;
        i++;
      } else {
        SEPARATOR.lastIndex = i;
        const next = SEPARATOR.exec(text)?.index ?? end;
        field += text.slice(i, next);
        fieldStart = false;
        i = next;
      }
    }
    row.push(field);
    yield row;
    i = skipLineBreak(text, i);
  }
}

function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}

function skipLineBreak(text: string, at: number): number {
  if (text[at] === '\r') return text[at + 1] === '\n' ? at + 2 : at + 1;
  return text[at] === '\n' ? at + 1 : at;
}

import { isUtf8 } from 'node:buffer';
/** One package paragraph of a dpkg status database. */
export interface DpkgRecord {
  name: string;
  version: string;
  architecture: string;
  /** Source package; its version differs from the binary version for binNMUs. */
  sourceName: string;
  sourceVersion: string;
  status: string;
  multiArch?: string;
}

export interface DpkgParseResult {
  records: DpkgRecord[];
  warnings: string[];
}

/**
 * Splits RFC 822-style control paragraphs into the named fields (lower-case names); continuation
 * lines (leading space or tab) extend the field before them. A status database is mostly the
 * continuation lines of descriptions and conffiles: those of fields not asked for are passed over
 * without being cut out of the text.
 */
export function parseControlParagraphs(text: string, fields: ReadonlySet<string>): Map<string, string>[] {
  const paragraphs: Map<string, string>[] = [];
  let current = new Map<string, string>();
  /** The field continuation lines extend; undefined while in a field not asked for. */
  let lastKey: string | undefined;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const lineStart = start;
    start = end + 1;
    if (isBlank(text, lineStart, end)) {
      if (current.size > 0) paragraphs.push(current);
      current = new Map();
      lastKey = undefined;
      continue;
    }
    const first = text.charCodeAt(lineStart);
    if (first === 0x20 || first === 0x09) {
      if (lastKey !== undefined)
        current.set(lastKey, `${current.get(lastKey)}\n${text.slice(lineStart + 1, end)}`);
      continue;
    }
    const colon = text.indexOf(':', lineStart);
    if (colon < 0 || colon >= end) continue;
    const key = text.slice(lineStart, colon).trim().toLowerCase();
    if (key === '') continue;
    lastKey = fields.has(key) ? key : undefined;
    if (lastKey !== undefined) current.set(lastKey, text.slice(colon + 1, end).trim());
  }
  if (current.size > 0) paragraphs.push(current);
  return paragraphs;
}

/** Whether text[start, end) is empty or only whitespace. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0b || code === 0x0c;
}

/** The fields parseDpkgStatus reads. */
const STATUS_FIELDS: ReadonlySet<string> = new Set([
  'package',
  'version',
  'status',
  'architecture',
  'source',
  'multi-arch',
]);

const SOURCE_FIELD = /^(\S+)(?:\s+\(([^)]+)\))?$/;

/**
 * Parses `var/lib/dpkg/status` (or one distroless `status.d/*` file) and keeps installed packages
 * only. Distroless files carry no Status field; their presence means installed.
 */
export function parseDpkgStatus(text: string, origin: string, requireStatus = true): DpkgParseResult {
  const records: DpkgRecord[] = [];
  const warnings: string[] = [];
  for (const paragraph of parseControlParagraphs(text, STATUS_FIELDS)) {
    const name = paragraph.get('package');
    const version = paragraph.get('version');
    if (!name || !version) {
      warnings.push(`${origin}: skipped a paragraph without Package/Version`);
      continue;
    }
    const status = paragraph.get('status') ?? (requireStatus ? '' : 'install ok installed');
    if (status.split(/\s+/)[2] !== 'installed') continue;
    const source = SOURCE_FIELD.exec(paragraph.get('source') ?? '');
    const record: DpkgRecord = {
      name,
      version,
      architecture: paragraph.get('architecture') ?? '',
      sourceName: source?.[1] ?? name,
      sourceVersion: source?.[2] ?? version,
      status,
    };
    const multiArch = paragraph.get('multi-arch');
    if (multiArch) record.multiArch = multiArch;
    records.push(record);
  }
  return { records, warnings };
}

const LICENSE_FIELD = Buffer.from('License:', 'latin1');

/**
 * Licenses of a machine-readable debian/copyright file (DEP-5): the short names on each
 * `License:` line, split on `or`/`and`/`,`, deduplicated and sorted. Read from the bytes: an
 * image holds megabytes of copyright files, mostly license texts, and only the `License:` lines
 * are decoded. `onInvalidText` is told when one of those lines is not valid UTF-8.
 */
export function parseCopyrightLicenses(data: Buffer, onInvalidText?: () => void): string[] {
  // The Format field opens the header paragraph: no need to search a long file for it.
  if (!/^Format:\s*\S*copyright-format/im.test(data.toString('latin1', 0, 4096))) return [];
  const names = new Set<string>();
  let invalid = false;
  for (let at = data.indexOf(LICENSE_FIELD); at >= 0; at = data.indexOf(LICENSE_FIELD, at + 1)) {
    if (at > 0 && data[at - 1] !== 0x0a && data[at - 1] !== 0x0d) continue;
    let end = data.indexOf(0x0a, at);
    if (end < 0) end = data.length;
    const line = data.subarray(at + LICENSE_FIELD.length, end);
    if (!isUtf8(line)) invalid = true;
    for (const name of line.toString('utf8').split(/\s+(?:or|and)\s+|,\s*/i)) {
      const trimmed = name.trim();
      if (trimmed && trimmed.length <= 100) names.add(trimmed);
    }
  }
  if (invalid) onInvalidText?.();
  return [...names].sort();
}

/**
 * Paths listed in `info/<pkg>.list`, normalized like image paths (no leading slash). Lists run to
 * a hundred thousand lines in all, so each line is trimmed by index rather than by copies.
 */
export function parseFileList(text: string): string[] {
  const paths: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let from = start;
    let to = end;
    start = end + 1;
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
    while (from < to && text.charCodeAt(from) === 0x2f) from++;
    if (from === to || (to - from === 1 && text.charCodeAt(from) === 0x2e)) continue;
    paths.push(text.slice(from, to));
  }
  return paths;
}

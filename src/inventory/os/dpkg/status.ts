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

/** Splits RFC 822-style control paragraphs; continuation lines (leading space/tab) extend the field. */
export function parseControlParagraphs(text: string): Map<string, string>[] {
  const paragraphs: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let lastKey: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) paragraphs.push(current);
      current = new Map();
      lastKey = undefined;
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && lastKey !== undefined) {
      current.set(lastKey, `${current.get(lastKey)}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim().toLowerCase();
    current.set(lastKey, line.slice(colon + 1).trim());
  }
  if (current.size > 0) paragraphs.push(current);
  return paragraphs;
}

const SOURCE_FIELD = /^(\S+)(?:\s+\(([^)]+)\))?$/;

/**
 * Parses `var/lib/dpkg/status` (or one distroless `status.d/*` file) and keeps installed packages
 * only. Distroless files carry no Status field; their presence means installed.
 */
export function parseDpkgStatus(text: string, origin: string, requireStatus = true): DpkgParseResult {
  const records: DpkgRecord[] = [];
  const warnings: string[] = [];
  for (const paragraph of parseControlParagraphs(text)) {
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

/**
 * Licenses of a machine-readable debian/copyright file (DEP-5): the short names on each
 * `License:` line, split on `or`/`and`/`,`, deduplicated and sorted.
 */
export function parseCopyrightLicenses(text: string): string[] {
  // The Format field opens the header paragraph: no need to search a long file for it.
  if (!/^Format:\s*\S*copyright-format/im.test(text.slice(0, 4096))) return [];
  const names = new Set<string>();
  for (const match of text.matchAll(/^License:[ \t]*([^\n]*)$/gm)) {
    for (const name of (match[1] ?? '').split(/\s+(?:or|and)\s+|,\s*/i)) {
      const trimmed = name.trim();
      if (trimmed && trimmed.length <= 100) names.add(trimmed);
    }
  }
  return [...names].sort();
}

/** Paths listed in `info/<pkg>.list`, normalized like image paths (no leading slash). */
export function parseFileList(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const path = line.trim().replace(/^\/+/, '');
    if (path && path !== '.') paths.push(path);
  }
  return paths;
}

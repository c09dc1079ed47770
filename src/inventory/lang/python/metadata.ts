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

/** Paths listed in a dist-info RECORD (CSV: path,hash,size), resolved against site-packages. */
export function parseRecordPaths(text: string, sitePackages: string): string[] {
  const paths: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    const path = line.startsWith('"')
      ? line.slice(1, line.indexOf('"', 1))
      : line.slice(0, line.indexOf(','));
    if (!path) continue;
    const joined = path.startsWith('/') ? path.slice(1) : `${sitePackages}/${path}`;
    paths.push(normalizeJoined(joined));
  }
  return paths;
}

function normalizeJoined(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/**
 * Package URLs as the purl specification defines them: `pkg:type/namespace/name@version?qualifiers#subpath`.
 * Components are percent-encoded; qualifiers are sorted by key and empty ones dropped.
 */
export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
  subpath?: string;
}

/** Components that need no encoding, as nearly every name and version is: returned as they are. */
const UNRESERVED = /^[A-Za-z0-9._~:-]*$/;

/** Percent-encodes everything outside the purl's unreserved set (`:` is allowed unencoded). */
function encodeComponent(value: string): string {
  if (UNRESERVED.test(value)) return value;
  return encodeURIComponent(value)
    .replace(/%3A/gi, ':')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function formatPurl(parts: PurlParts): string {
  let purl = `pkg:${parts.type.toLowerCase()}/`;
  if (parts.namespace) purl += `${parts.namespace.split('/').map(encodeComponent).join('/')}/`;
  purl += encodeComponent(parts.name);
  if (parts.version) purl += `@${encodeComponent(parts.version)}`;
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (qualifiers.length > 0) {
    purl += `?${qualifiers.map(([key, value]) => `${key.toLowerCase()}=${encodeComponent(value)}`).join('&')}`;
  }
  if (parts.subpath) purl += `#${parts.subpath.split('/').filter(Boolean).map(encodeComponent).join('/')}`;
  return purl;
}

export function parsePurl(text: string): PurlParts {
  if (!text.startsWith('pkg:')) throw new Error(`not a purl: ${text}`);
  let rest = text.slice(4).replace(/^\/+/, '');
  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    subpath = rest
      .slice(hash + 1)
      .split('/')
      .map(decodeURIComponent)
      .join('/');
    rest = rest.slice(0, hash);
  }
  let qualifiers: Record<string, string> | undefined;
  const question = rest.indexOf('?');
  if (question >= 0) {
    qualifiers = {};
    for (const pair of rest.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq > 0) qualifiers[pair.slice(0, eq).toLowerCase()] = decodeURIComponent(pair.slice(eq + 1));
    }
    rest = rest.slice(0, question);
  }
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at > rest.lastIndexOf('/')) {
    version = decodeURIComponent(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const segments = rest.split('/').filter(Boolean);
  const type = (segments.shift() ?? '').toLowerCase();
  const name = decodeURIComponent(segments.pop() ?? '');
  if (!type || !name) throw new Error(`not a purl: ${text}`);
  const parts: PurlParts = { type, name };
  if (segments.length > 0) parts.namespace = segments.map(decodeURIComponent).join('/');
  if (version !== undefined) parts.version = version;
  if (qualifiers) parts.qualifiers = qualifiers;
  if (subpath) parts.subpath = subpath;
  return parts;
}

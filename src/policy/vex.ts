import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CeranaError } from '../common/errors.js';
import type { PolicyException, VexJustification } from './exceptions.js';
import { isExpired } from './exceptions.js';
import type { Finding } from './finding.js';
import { globMatch } from './glob.js';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

export type OpenVexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface OpenVexStatement {
  vulnerability: { name: string; aliases?: string[] };
  products?: { '@id': string; subcomponents?: { '@id': string }[] }[];
  status: OpenVexStatus;
  justification?: VexJustification;
  impact_statement?: string;
  action_statement?: string;
  timestamp?: string;
}

export interface OpenVexDocument {
  '@context': string;
  '@id': string;
  author: string;
  timestamp: string;
  version: number;
  statements: OpenVexStatement[];
}

/** The image a VEX statement is checked against. */
export interface VexTarget {
  ref: string;
  repository: string;
  digest: string;
}

const STATUSES: readonly string[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

/** Reads an OpenVEX document (v0.2.0, and v0.0.x whose `vulnerability` is a plain string). */
export function parseOpenVex(text: string, origin: string): OpenVexDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new CeranaError('INPUT', `${origin}: not JSON: ${(error as Error).message}`);
  }
  const d = doc as Partial<OpenVexDocument> & { statements?: unknown };
  if (
    typeof doc !== 'object' ||
    doc === null ||
    typeof d['@context'] !== 'string' ||
    !d['@context'].startsWith('https://openvex.dev/ns')
  ) {
    throw new CeranaError(
      'INPUT',
      `${origin}: not an OpenVEX document (@context https://openvex.dev/ns/...)`,
    );
  }
  if (!Array.isArray(d.statements)) throw new CeranaError('INPUT', `${origin}: no statements`);
  const statements = (d.statements as unknown[]).map((raw, index): OpenVexStatement => {
    const s = raw as Record<string, unknown>;
    const vuln = s.vulnerability;
    const name = typeof vuln === 'string' ? vuln : (vuln as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || typeof s.status !== 'string' || !STATUSES.includes(s.status)) {
      throw new CeranaError(
        'INPUT',
        `${origin}: statement ${index + 1}: needs vulnerability.name and a status (${STATUSES.join(', ')})`,
      );
    }
    const statement: OpenVexStatement = { vulnerability: { name }, status: s.status as OpenVexStatus };
    const aliases = (vuln as { aliases?: unknown })?.aliases;
    if (Array.isArray(aliases))
      statement.vulnerability.aliases = aliases.filter((a): a is string => typeof a === 'string');
    if (Array.isArray(s.products))
      statement.products = s.products as NonNullable<OpenVexStatement['products']>;
    if (typeof s.justification === 'string') statement.justification = s.justification as VexJustification;
    if (typeof s.impact_statement === 'string') statement.impact_statement = s.impact_statement;
    return statement;
  });
  return {
    '@context': d['@context'],
    '@id': String(d['@id'] ?? ''),
    author: String(d.author ?? ''),
    timestamp: String(d.timestamp ?? ''),
    version: Number(d.version ?? 1),
    statements,
  };
}

export function loadOpenVex(path: string): OpenVexDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CeranaError('INPUT', `cannot read VEX document ${path}: ${(error as Error).message}`);
  }
  return parseOpenVex(text, path);
}

/** The repository named by a `pkg:oci/...?repository_url=` purl, or the id itself. */
function productRepository(id: string): { repository: string; digest?: string } {
  if (!id.startsWith('pkg:oci/')) return { repository: id };
  const query = new URLSearchParams(id.split('?')[1] ?? '');
  const at = id.indexOf('@');
  const digest = at >= 0 ? decodeURIComponent(id.slice(at + 1).split('?')[0] ?? '') : undefined;
  const name = id.slice('pkg:oci/'.length).split(/[@?]/)[0] ?? '';
  const repository = query.get('repository_url') ?? name;
  return digest ? { repository, digest } : { repository };
}

function productMatches(productId: string, target: VexTarget): boolean {
  if (productId === target.ref || productId === target.digest) return true;
  const { repository, digest } = productRepository(productId);
  if (digest !== undefined && digest !== target.digest) return false;
  return globMatch(repository, target.repository);
}

function statementCovers(statement: OpenVexStatement, finding: Finding, target: VexTarget): boolean {
  const ids = new Set([finding.id, ...finding.aliases]);
  const names = [statement.vulnerability.name, ...(statement.vulnerability.aliases ?? [])];
  if (!names.some((n) => ids.has(n))) return false;
  const products = statement.products ?? [];
  if (products.length === 0) return true;
  return products.some((product) => {
    if (!productMatches(product['@id'], target)) return false;
    const subs = product.subcomponents ?? [];
    if (subs.length === 0) return true;
    const pkg = finding.package;
    return (
      pkg !== undefined &&
      subs.some(
        (s) => s['@id'] === pkg.purl || s['@id'] === pkg.name || (pkg.purl ?? '').startsWith(`${s['@id']}@`),
      )
    );
  });
}

/** `not_affected` and `fixed` statements suppress the vulnerability findings they cover, with their justification. */
export function applyVex(
  findings: Finding[],
  documents: { doc: OpenVexDocument; origin: string }[],
  target: VexTarget,
): Finding[] {
  return findings.map((finding) => {
    if (finding.kind !== 'vulnerability' || finding.suppressed) return finding;
    for (const { doc, origin } of documents) {
      // Later statements win, as OpenVEX orders them by time.
      const statement = [...doc.statements].reverse().find((s) => statementCovers(s, finding, target));
      if (!statement) continue;
      if (statement.status !== 'not_affected' && statement.status !== 'fixed') break;
      const why = statement.justification ?? statement.impact_statement ?? statement.status;
      return { ...finding, suppressed: { by: `vex:${origin}`, reason: `${statement.status}: ${why}` } };
    }
    return finding;
  });
}

/**
 * OpenVEX from accepted exceptions: one statement per live exception that names a concrete
 * vulnerability id and declares a `vex` status. Wildcard ids cannot be stated in VEX and are skipped.
 */
export function generateOpenVex(
  exceptions: PolicyException[],
  options: { author: string; now: Date },
): OpenVexDocument {
  const statements: OpenVexStatement[] = [];
  for (const e of exceptions) {
    if (!e.vex || isExpired(e, options.now) || e.id.includes('*')) continue;
    const statement: OpenVexStatement = { vulnerability: { name: e.id }, status: e.vex.status };
    if (e.scope.image !== undefined) {
      const product: NonNullable<OpenVexStatement['products']>[number] = { '@id': e.scope.image };
      if (e.scope.package !== undefined) product.subcomponents = [{ '@id': e.scope.package }];
      statement.products = [product];
    }
    if (e.vex.status === 'not_affected') {
      if (e.vex.justification) statement.justification = e.vex.justification;
      statement.impact_statement = `${e.reason} (owner ${e.owner}, until ${e.expires})`;
    } else {
      statement.action_statement = `${e.reason} (owner ${e.owner})`;
    }
    statements.push(statement);
  }
  const timestamp = options.now.toISOString();
  const id = createHash('sha256').update(JSON.stringify(statements)).digest('hex').slice(0, 16);
  return {
    '@context': OPENVEX_CONTEXT,
    '@id': `https://cerana.io/vex/${id}`,
    author: options.author,
    timestamp,
    version: 1,
    statements,
  };
}

import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { CeranaError } from '../common/errors.js';
import type { Finding } from './finding.js';
import { globMatch } from './glob.js';

/** OpenVEX statuses an exception may declare for `cerana vex generate`. */
export type VexStatus = 'not_affected' | 'fixed';
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

/** An accepted risk, as data: what it covers, why, who owns it and until when. */
export interface PolicyException {
  /** Finding id or alias; `*` wildcards allowed (`CVE-2024-*`). */
  id: string;
  scope: { image?: string; package?: string; path?: string };
  reason: string;
  owner: string;
  /** YYYY-MM-DD; the exception applies through the end of that day (UTC). */
  expires: string;
  vex?: { status: VexStatus; justification?: VexJustification };
  /** `file:line`, for reports. */
  source: string;
}

export interface ExceptionOutcome {
  findings: Finding[];
  /** Exceptions past their expiry: they no longer apply, and say so. */
  expired: PolicyException[];
  /** Exceptions that matched at least one finding. */
  used: PolicyException[];
}

const ENTRY_KEYS = ['id', 'scope', 'reason', 'owner', 'expires', 'vex'];
const SCOPE_KEYS = ['image', 'package', 'path'];

function fail(file: string, lines: LineCounter, node: Node | null | undefined, message: string): never {
  const pos = lines.linePos(node?.range?.[0] ?? 0);
  throw new CeranaError('INPUT', `${file}:${pos.line}:${pos.col}: ${message}`);
}

export function parseExceptions(source: string, file: string): PolicyException[] {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first)
    fail(
      file,
      lines,
      { range: [first.pos[0], first.pos[1], first.pos[1]] } as Node,
      `YAML: ${first.message.split('\n')[0]}`,
    );
  const root = doc.contents as Node | null;
  const list = isMap(root) ? (root.get('exceptions', true) as Node | undefined) : root;
  if (!isSeq(list))
    fail(file, lines, root, 'expected a list of exceptions (or a mapping with "exceptions:")');
  const out: PolicyException[] = [];
  for (const item of list.items as Node[]) {
    if (!isMap(item)) fail(file, lines, item, 'an exception must be a mapping');
    for (const pair of item.items) {
      const key = String((pair.key as { value?: unknown }).value);
      if (!ENTRY_KEYS.includes(key))
        fail(file, lines, pair.key as Node, `unknown field "${key}" (expected ${ENTRY_KEYS.join(', ')})`);
    }
    let plain: Record<string, unknown>;
    try {
      plain = item.toJS(doc, { maxAliasCount: 20 }) as Record<string, unknown>;
    } catch (error) {
      // Alias bombs and other YAML the library refuses to expand.
      fail(file, lines, item, `cannot read exception: ${(error as Error).message}`);
    }
    const text = (key: string, required: boolean): string | undefined => {
      const value = plain[key];
      if (value === undefined || value === null) {
        if (required)
          fail(file, lines, item, `exception needs "${key}" (id, reason, owner and expires are required)`);
        return undefined;
      }
      if (typeof value !== 'string' || value.trim() === '')
        fail(file, lines, item.get(key, true) as Node, `${key} must be a non-empty string`);
      return value;
    };
    const id = text('id', true) as string;
    const reason = text('reason', true) as string;
    const owner = text('owner', true) as string;
    const expiresValue = plain.expires;
    const expires =
      expiresValue instanceof Date ? expiresValue.toISOString().slice(0, 10) : text('expires', true);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(expires ?? '') || Number.isNaN(Date.parse(`${expires}T00:00:00Z`))) {
      fail(file, lines, item.get('expires', true) as Node, 'expires must be a date YYYY-MM-DD');
    }
    const scopeNode = item.get('scope', true) as Node | undefined;
    const scope: PolicyException['scope'] = {};
    if (scopeNode !== undefined) {
      if (!isMap(scopeNode)) fail(file, lines, scopeNode, 'scope must be a mapping of image, package, path');
      for (const pair of scopeNode.items) {
        const key = String((pair.key as { value?: unknown }).value);
        const value = (pair.value as { value?: unknown } | null)?.value;
        if (!SCOPE_KEYS.includes(key))
          fail(file, lines, pair.key as Node, `unknown scope "${key}" (expected ${SCOPE_KEYS.join(', ')})`);
        if (typeof value !== 'string' || value === '')
          fail(file, lines, pair.value as Node, `scope.${key} must be a string`);
        scope[key as keyof PolicyException['scope']] = value;
      }
    }
    const exception: PolicyException = {
      id,
      scope,
      reason,
      owner,
      expires: expires as string,
      source: `${file}:${lines.linePos(item.range?.[0] ?? 0).line}`,
    };
    const vex = plain.vex as { status?: unknown; justification?: unknown } | undefined;
    if (vex !== undefined) {
      if (vex.status !== 'not_affected' && vex.status !== 'fixed') {
        fail(file, lines, item.get('vex', true) as Node, 'vex.status must be not_affected or fixed');
      }
      if (
        vex.justification !== undefined &&
        !(VEX_JUSTIFICATIONS as readonly unknown[]).includes(vex.justification)
      ) {
        fail(
          file,
          lines,
          item.get('vex', true) as Node,
          `vex.justification must be one of ${VEX_JUSTIFICATIONS.join(', ')}`,
        );
      }
      exception.vex = { status: vex.status };
      if (vex.justification !== undefined)
        exception.vex.justification = vex.justification as VexJustification;
    }
    out.push(exception);
  }
  return out;
}

export function loadExceptions(path: string): PolicyException[] {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CeranaError('INPUT', `cannot read exceptions ${path}: ${(error as Error).message}`);
  }
  return parseExceptions(source, path);
}

/** Expired once the expiry day (UTC) has passed. */
export function isExpired(exception: PolicyException, now: Date): boolean {
  return now.getTime() >= Date.parse(`${exception.expires}T00:00:00Z`) + 86_400_000;
}

export function exceptionMatches(exception: PolicyException, finding: Finding, repository: string): boolean {
  const ids = [finding.id, ...finding.aliases];
  if (!ids.some((id) => globMatch(exception.id, id))) return false;
  const { image, package: pkg, path } = exception.scope;
  if (image !== undefined && !globMatch(image, repository)) return false;
  if (pkg !== undefined) {
    const p = finding.package;
    if (!p || !(globMatch(pkg, p.name) || (p.purl !== undefined && globMatch(pkg, p.purl)))) return false;
  }
  if (path !== undefined && !globMatch(path, finding.location?.path ?? '')) return false;
  return true;
}

/**
 * Marks the findings live exceptions cover as suppressed (they stay in the list, flagged) and
 * reports the expired ones, which cover nothing.
 */
export function applyExceptions(
  findings: Finding[],
  exceptions: PolicyException[],
  repository: string,
  now: Date,
): ExceptionOutcome {
  const live = exceptions.filter((e) => !isExpired(e, now));
  const expired = exceptions.filter((e) => isExpired(e, now));
  const used = new Set<PolicyException>();
  const out = findings.map((finding) => {
    if (finding.suppressed) return finding;
    const match = live.find((e) => exceptionMatches(e, finding, repository));
    if (!match) return finding;
    used.add(match);
    return {
      ...finding,
      suppressed: {
        by: match.source,
        reason: `${match.reason} (owner ${match.owner})`,
        expires: match.expires,
      },
    };
  });
  return { findings: out, expired, used: [...used] };
}

/** What reports show: unsuppressed findings, or all of them with `--show-suppressed`. */
export function visibleFindings(findings: Finding[], showSuppressed: boolean): Finding[] {
  return showSuppressed ? findings : findings.filter((f) => !f.suppressed);
}

import { defineScheme } from '../scheme.js';
import { phpVersionCompare } from './php-version-compare.js';

// Composer writes the number part as a possessive ((?:[.-]?\d+)*+); spelled here without
// nested repetition so a long run of digits cannot make the regex backtrack exponentially.
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)([.-]?\\d+(?:[.-]\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
const ALIAS = /^([^,\s]+) +as +([^,\s]+)$/;
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)$/i;
const BUILD_METADATA = /^([^,\s+]+)\+[^\s]+$/;
const DEV_SUFFIX = /^(.*?)[.-]?dev$/i;
const NUMBERED_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
// PHP's trim() set: no form feed, unlike String.prototype.trim.
const PHP_WHITESPACE = new Set([' ', '\t', '\n', '\r', '\0', '\v']);

function phpTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PHP_WHITESPACE.has(s[start] ?? '')) start++;
  while (end > start && PHP_WHITESPACE.has(s[end - 1] ?? '')) end--;
  return s.slice(start, end);
}

function expandStability(stability: string): string {
  const lower = stability.toLowerCase();
  if (lower === 'a') return 'alpha';
  if (lower === 'b') return 'beta';
  if (lower === 'p' || lower === 'pl') return 'patch';
  if (lower === 'rc') return 'RC';
  return lower;
}

function withModifiers(version: string, stability?: string, number?: string, dev?: string): string {
  let out = version;
  if (stability) {
    // Only a lowercase "stable" is dropped (and with it any -dev), as Composer does.
    if (stability === 'stable') return out;
    out += `-${expandStability(stability)}${number ? number.replace(/^[.-]+/, '') : ''}`;
  }
  if (dev) out += '-dev';
  return out;
}

/**
 * Composer's VersionParser::normalize: "v1.2-beta.3" → "1.2.0.0-beta3", "2.x-dev" →
 * "2.9999999.9999999.9999999-dev", dates kept as dotted numbers. Branch names ("dev-main")
 * have no order, so they are not versions here (undefined), nor is anything Composer rejects.
 */
export function normalizeComposerVersion(input: string): string | undefined {
  let version = phpTrim(input);
  version = ALIAS.exec(version)?.[1] ?? version;
  version = version.replace(STABILITY_FLAG, '');
  if (version === 'master' || version === 'trunk' || version === 'default') return undefined;
  if (version.toLowerCase().startsWith('dev-')) return undefined;
  version = BUILD_METADATA.exec(version)?.[1] ?? version;
  const classical = CLASSICAL.exec(version);
  if (classical) {
    const [, major, minor, patch, build, stability, number, dev] = classical;
    return withModifiers(`${major}${minor || '.0'}${patch || '.0'}${build || '.0'}`, stability, number, dev);
  }
  const date = DATE.exec(version);
  if (date) {
    const [, stamp = '', stability, number, dev] = date;
    return withModifiers(stamp.replace(/[^0-9]/g, '.'), stability, number, dev);
  }
  const devBranch = DEV_SUFFIX.exec(version);
  const numbered = devBranch ? NUMBERED_BRANCH.exec(phpTrim(devBranch[1] ?? '')) : null;
  if (numbered) {
    const parts = [numbered[1], numbered[2], numbered[3], numbered[4]].map((part, i) =>
      part === undefined ? (i === 0 ? '' : '.x') : part.replace(/[*X]/g, 'x'),
    );
    return `${parts.join('').replaceAll('x', '9999999')}-dev`;
  }
  return undefined;
}

export const composer = defineScheme<string>({
  name: 'composer',
  parse: normalizeComposerVersion,
  compareParsed: phpVersionCompare,
  describeParsed: (normalized) => `normalized ${normalized}`,
});

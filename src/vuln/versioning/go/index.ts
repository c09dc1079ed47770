import { defineScheme } from '../scheme.js';
import { compareSemver, describeSemver, parseSemverCore, type SemverVersion } from '../semver/core.js';

/** A Go version read as semver: a module version, or a Go toolchain release mapped onto semver. */
export interface GoVersion {
  semver: SemverVersion;
  toolchain: boolean;
}

const NUMBER = '(0|[1-9][0-9]*)';
// go1.19.8, go1.21rc2, go1.9beta1, and the same without "go" when a pre-release suffix says it is one.
const TOOLCHAIN = new RegExp(`^go${NUMBER}(?:\\.${NUMBER})?(?:\\.${NUMBER})?(?:(beta|rc)${NUMBER})?$`);
const BARE_TOOLCHAIN = new RegExp(`^${NUMBER}\\.${NUMBER}(?:\\.${NUMBER})?(beta|rc)${NUMBER}$`);
// Module versions may shorten to vMAJOR or vMAJOR.MINOR, but only without pre-release or build.
const SHORT = new RegExp(`^${NUMBER}(?:\\.${NUMBER})?$`);

/**
 * Toolchain releases map onto semver the way Go's vulnerability data writes them: go1.20 is
 * 1.20.0 (before Go 1.21 the first release of a series had no patch number) and go1.21rc2 is
 * 1.21.0-rc.2. Go's own toolchain order treats a bare "1.21" as the language version that
 * precedes 1.21rc1; vulnerability ranges never use that form, so it is not modelled.
 */
function parseToolchain(v: string): SemverVersion | undefined {
  const m = TOOLCHAIN.exec(v) ?? BARE_TOOLCHAIN.exec(v);
  if (!m) return undefined;
  const [, major = '0', minor = '0', patch = '0', label, n] = m;
  return { major, minor, patch, prerelease: label && n ? [label, n] : [], build: [] };
}

/** Module versions as golang.org/x/mod/semver reads them, the leading "v" optional (OSV omits it). */
function parseModule(v: string): SemverVersion | undefined {
  const body = v.startsWith('v') ? v.slice(1) : v;
  const short = SHORT.exec(body);
  if (short) return { major: short[1] ?? '0', minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
  return parseSemverCore(body);
}

export function parseGoVersion(v: string): GoVersion | undefined {
  const toolchain = parseToolchain(v);
  if (toolchain) return { semver: toolchain, toolchain: true };
  const module = parseModule(v);
  return module ? { semver: module, toolchain: false } : undefined;
}

export const go = defineScheme<GoVersion>({
  name: 'go',
  parse: parseGoVersion,
  compareParsed: (a, b) => compareSemver(a.semver, b.semver),
  describeParsed: (v) => `${v.toolchain ? 'toolchain' : 'module'} version ${describeSemver(v.semver)}`,
});

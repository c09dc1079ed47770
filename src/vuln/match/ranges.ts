import { parseEcosystem } from '../osv/ecosystem.js';
import { type EventKind, eventOf, type OsvAffected, type OsvRange } from '../osv/types.js';
import { getScheme, schemeForEcosystem, type VersionScheme } from '../versioning/index.js';

/**
 * OSV's evaluation of one affected entry against one installed version, as the schema defines it
 * (https://ossf.github.io/osv-schema/#evaluation): the version is affected when it is listed in
 * `versions`, or when, walking a range's events in version order, the last `introduced` at or
 * below it is not followed by a `fixed` at or below it or a `last_affected` below it, and it is
 * below a `limit` when the range has any. GIT ranges need the repository's commit graph and are
 * skipped with a note. Every answer says why, for `--debug` and "why did this match?".
 */

export interface RangeEvaluation {
  /** `unknown` when the version or a boundary is not a valid version for the scheme. */
  affected: boolean | 'unknown';
  /** One line: what decided it (`ECOSYSTEM range 1: introduced 1.0 <= 1.2.3 < fixed 1.4`). */
  reason: string;
  /** Fixed versions above the installed one in the ranges that affect it, lowest first. */
  fixed: string[];
  /** GIT ranges skipped, versions the scheme rejects. */
  notes: string[];
}

interface TimelineEvent {
  kind: EventKind;
  version: string;
}

/** The scheme ranges of `type` are ordered by for an ecosystem, or undefined when Cerana has none. */
export function schemeForRange(type: OsvRange['type'], ecosystem: string): VersionScheme | undefined {
  const ecosystemScheme = schemeForEcosystem(parseEcosystem(ecosystem).full);
  if (type !== 'SEMVER') return ecosystemScheme;
  // SEMVER ranges follow SemVer 2.0 precedence; Go's own scheme is that plus Go's spellings (v1.2.3, go1.21).
  return ecosystemScheme?.name === 'go' ? ecosystemScheme : getScheme('semver');
}

export function evaluateAffected(entry: OsvAffected, version: string, ecosystem: string): RangeEvaluation {
  const notes: string[] = [];
  const ecosystemScheme = schemeForEcosystem(parseEcosystem(ecosystem).full);
  const listed = (entry.versions ?? []).find(
    (candidate) => candidate === version || sameVersion(ecosystemScheme, candidate, version),
  );
  let unknown: string | undefined;
  const fixed: string[] = [];
  let decided: string | undefined;
  (entry.ranges ?? []).forEach((range, index) => {
    const label = `${range.type} range ${index}`;
    if (range.type === 'GIT') {
      notes.push(`${label} (${range.repo ?? 'no repo'}) skipped: GIT ranges need the commit graph`);
      return;
    }
    const scheme = schemeForRange(range.type, ecosystem);
    if (scheme === undefined) {
      unknown ??= `${label}: no version scheme for ${ecosystem}`;
      return;
    }
    const outcome = evaluateRange(range, version, scheme, label);
    if (outcome.kind === 'unknown') {
      notes.push(outcome.reason);
      unknown ??= outcome.reason;
      return;
    }
    if (outcome.kind === 'affected') {
      decided ??= outcome.reason;
      fixed.push(...outcome.fixed.filter((v) => !fixed.includes(v)));
    }
  });
  // A version listed in `versions` is affected whatever the ranges say; the ranges still tell
  // where it is fixed (PYSEC records list every affected release next to their ranges).
  if (decided === undefined && listed !== undefined) {
    return { affected: true, reason: `${version} is listed among the affected versions`, fixed: [], notes };
  }
  if (decided !== undefined) {
    return {
      affected: true,
      reason: decided,
      fixed: sortVersions(fixed, ecosystemScheme ?? getScheme('semver')),
      notes,
    };
  }
  if (unknown !== undefined) return { affected: 'unknown', reason: unknown, fixed: [], notes };
  return { affected: false, reason: `${version} is in no affected range`, fixed: [], notes };
}

type RangeOutcome =
  | { kind: 'affected'; reason: string; fixed: string[] }
  | { kind: 'unaffected' }
  | { kind: 'unknown'; reason: string };

function evaluateRange(range: OsvRange, version: string, scheme: VersionScheme, label: string): RangeOutcome {
  if (!scheme.valid(version)) {
    return { kind: 'unknown', reason: `${label}: ${version} is not a valid ${scheme.name} version` };
  }
  const events = range.events.map(eventOf);
  const invalid = events.find(
    (e) =>
      !(e.kind === 'introduced' && e.version === '0') &&
      !(e.kind === 'limit' && e.version === '*') &&
      !scheme.valid(e.version),
  );
  if (invalid !== undefined) {
    return {
      kind: 'unknown',
      reason: `${label}: ${invalid.kind} ${JSON.stringify(invalid.version)} is not a valid ${scheme.name} version`,
    };
  }
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => e.version === '*' || scheme.compare(version, e.version) < 0)) {
    return { kind: 'unaffected' };
  }
  const timeline = events.filter((e) => e.kind !== 'limit').sort((a, b) => compareEvents(a, b, scheme));
  let opened: TimelineEvent | undefined;
  for (const event of timeline) {
    if (event.kind === 'introduced') {
      if (event.version === '0' || scheme.compare(version, event.version) >= 0) opened = event;
    } else if (event.kind === 'fixed') {
      if (scheme.compare(version, event.version) >= 0) opened = undefined;
    } else if (scheme.compare(version, event.version) > 0) {
      opened = undefined;
    }
  }
  // Some records list overlapping intervals in one range, each written as an introduced event followed
  // by its fix ([2.11, 2.11.7) and [0, 2.11.6)); the sorted timeline lets one interval's fix close the
  // other. The intervals as written count too, so such data cannot hide an affected version.
  opened ??= writtenIntervals(events).find(
    ([start, end]) =>
      (start.version === '0' || scheme.compare(version, start.version) >= 0) &&
      scheme.compare(version, end.version) < (end.kind === 'last_affected' ? 1 : 0),
  )?.[0];
  if (opened === undefined) return { kind: 'unaffected' };
  // The event that closes the interval the version sits in, if any, says up to where it is affected.
  const closing = timeline.find(
    (e) =>
      (e.kind === 'fixed' && scheme.compare(version, e.version) < 0) ||
      (e.kind === 'last_affected' && scheme.compare(version, e.version) <= 0),
  );
  const lower =
    opened.version === '0'
      ? `introduced 0 (any version) <= ${version}`
      : `introduced ${opened.version} <= ${version}`;
  const upper =
    closing === undefined
      ? 'no fix'
      : closing.kind === 'fixed'
        ? `< fixed ${closing.version}`
        : `<= last_affected ${closing.version}`;
  const fixed = timeline
    .filter((e) => e.kind === 'fixed' && scheme.compare(version, e.version) < 0)
    .map((e) => e.version);
  return {
    kind: 'affected',
    reason: `${label}: ${lower} ${upper}`,
    fixed: closing?.kind === 'fixed' ? fixed : [],
  };
}

/**
 * Version order, with `introduced: 0` first. At one version, what closes an interval comes before
 * what opens the next: `fixed 3.1.1` then `introduced 3.1.1` means 3.1.1 starts a new affected interval.
 */
function compareEvents(a: TimelineEvent, b: TimelineEvent, scheme: VersionScheme): number {
  const zeroA = a.kind === 'introduced' && a.version === '0';
  const zeroB = b.kind === 'introduced' && b.version === '0';
  if (zeroA || zeroB) return zeroA === zeroB ? 0 : zeroA ? -1 : 1;
  const order = scheme.compare(a.version, b.version);
  if (order !== 0) return order;
  return (a.kind === 'introduced' ? 1 : 0) - (b.kind === 'introduced' ? 1 : 0);
}

/** Each introduced event with the fixed or last_affected event written right after it. */
function writtenIntervals(events: TimelineEvent[]): [TimelineEvent, TimelineEvent][] {
  const intervals: [TimelineEvent, TimelineEvent][] = [];
  events.forEach((event, i) => {
    const next = events[i + 1];
    if (
      event.kind === 'introduced' &&
      next !== undefined &&
      (next.kind === 'fixed' || next.kind === 'last_affected')
    ) {
      intervals.push([event, next]);
    }
  });
  return intervals;
}

function sameVersion(scheme: VersionScheme | undefined, a: string, b: string): boolean {
  if (scheme === undefined) return false;
  return scheme.valid(a) && scheme.valid(b) && scheme.compare(a, b) === 0;
}

function sortVersions(versions: string[], scheme: VersionScheme): string[] {
  return [...versions].sort((a, b) =>
    scheme.valid(a) && scheme.valid(b) ? scheme.compare(a, b) : a < b ? -1 : 1,
  );
}

/**
 * The OSV schema (https://ossf.github.io/osv-schema/) as Cerana holds it after parsing:
 * every field the schema defines, optional ones absent rather than null, unknown
 * top-level fields dropped. Free-form objects (`database_specific`, `ecosystem_specific`)
 * are kept as JSON.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type RangeType = 'ECOSYSTEM' | 'SEMVER' | 'GIT';

/** One event of a range; exactly one key is set, as in the schema. */
export type OsvEvent =
  | { introduced: string }
  | { fixed: string }
  | { last_affected: string }
  | { limit: string };

export interface OsvRange {
  type: RangeType;
  /** GIT ranges name their repository. */
  repo?: string;
  events: OsvEvent[];
  database_specific?: JsonObject;
}

export type SeverityType = 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu';

export interface OsvSeverity {
  type: SeverityType;
  score: string;
}

export interface OsvPackage {
  ecosystem: string;
  name: string;
  purl?: string;
}

export interface OsvAffected {
  /** Absent only for entries that describe a GIT range alone. */
  package?: OsvPackage;
  severity?: OsvSeverity[];
  ranges?: OsvRange[];
  versions?: string[];
  ecosystem_specific?: JsonObject;
  database_specific?: JsonObject;
}

export interface OsvReference {
  type: string;
  url: string;
}

export interface OsvCredit {
  name: string;
  contact?: string[];
  type?: string;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: OsvReference[];
  credits?: OsvCredit[];
  database_specific?: JsonObject;
}

export const RANGE_TYPES: readonly RangeType[] = ['ECOSYSTEM', 'SEMVER', 'GIT'];
export const SEVERITY_TYPES: readonly SeverityType[] = ['CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'Ubuntu'];
export const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The kind and version of an event, for code that walks ranges. */
export function eventOf(event: OsvEvent): { kind: EventKind; version: string } {
  if ('introduced' in event) return { kind: 'introduced', version: event.introduced };
  if ('fixed' in event) return { kind: 'fixed', version: event.fixed };
  if ('last_affected' in event) return { kind: 'last_affected', version: event.last_affected };
  return { kind: 'limit', version: event.limit };
}

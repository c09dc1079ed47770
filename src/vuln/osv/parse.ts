import { CeranaError } from '../../common/errors.js';
import { canonicalEcosystem } from './ecosystem.js';
import {
  EVENT_KINDS,
  type JsonObject,
  type OsvAffected,
  type OsvCredit,
  type OsvEvent,
  type OsvPackage,
  type OsvRange,
  type OsvRecord,
  type OsvReference,
  type OsvSeverity,
  RANGE_TYPES,
  type RangeType,
  SEVERITY_TYPES,
  type SeverityType,
} from './types.js';

/**
 * A tolerant but validating OSV parser. A record without a usable `id` or `modified` is
 * rejected with an error; anything else that is malformed is dropped or repaired, and each
 * such decision is reported as a warning so an import can say what it skipped. Real
 * exports contain such quirks (empty CVSS scores, ranges without `fixed`, placeholder
 * timestamps), and one bad field must not cost the whole advisory.
 */

export interface ParsedRecord {
  record: OsvRecord;
  warnings: string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,254}$/;
// RFC 3339 as OSV uses it; the date part is what matters for ordering.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function parseOsvJson(text: string | Buffer, where: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (error) {
    throw new CeranaError('INPUT', `${where}: not valid JSON (${(error as Error).message})`);
  }
  return parseOsvRecord(value, where);
}

export function parseOsvRecord(value: unknown, where: string): ParsedRecord {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
  };
  if (!isObject(value)) throw new CeranaError('INPUT', `${where}: an OSV record must be a JSON object`);
  const id = value.id;
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new CeranaError('INPUT', `${where}: missing or malformed "id" ${describe(id)}`);
  }
  const at = `${where} (${id})`;
  const modified = value.modified;
  if (typeof modified !== 'string' || modified.trim() === '') {
    throw new CeranaError('INPUT', `${at}: missing "modified" timestamp`);
  }
  const record: OsvRecord = { id, modified: timestamp(modified, 'modified', warn) };

  const schemaVersion = optionalString(value.schema_version, 'schema_version', warn);
  if (schemaVersion !== undefined) record.schema_version = schemaVersion;
  const published = optionalString(value.published, 'published', warn);
  if (published !== undefined) record.published = timestamp(published, 'published', warn);
  const withdrawn = optionalString(value.withdrawn, 'withdrawn', warn);
  if (withdrawn !== undefined) record.withdrawn = timestamp(withdrawn, 'withdrawn', warn);
  for (const key of ['aliases', 'related', 'upstream'] as const) {
    const list = stringList(value[key], key, warn);
    if (list !== undefined) record[key] = list;
  }
  const summary = optionalString(value.summary, 'summary', warn);
  if (summary !== undefined) record.summary = summary;
  const details = optionalString(value.details, 'details', warn);
  if (details !== undefined) record.details = details;
  const severity = severities(value.severity, 'severity', warn);
  if (severity !== undefined) record.severity = severity;
  if (value.affected !== undefined) {
    if (Array.isArray(value.affected)) {
      record.affected = value.affected.flatMap((entry, i) => {
        const parsed = affected(entry, `affected[${i}]`, warn);
        return parsed === undefined ? [] : [parsed];
      });
    } else {
      warn('"affected" is not a list; dropped');
    }
  }
  const references = list(value.references, 'references', warn, reference);
  if (references !== undefined) record.references = references;
  const credits = list(value.credits, 'credits', warn, credit);
  if (credits !== undefined) record.credits = credits;
  const databaseSpecific = jsonObject(value.database_specific, 'database_specific', warn);
  if (databaseSpecific !== undefined) record.database_specific = databaseSpecific;

  if (record.withdrawn === undefined && (record.affected ?? []).length === 0) {
    warn('no usable "affected" entry; the record cannot match any package');
  }
  return { record, warnings: warnings.map((message) => `${at}: ${message}`) };
}

type Warn = (message: string) => void;

function affected(value: unknown, path: string, warn: Warn): OsvAffected | undefined {
  if (!isObject(value)) {
    warn(`${path} is not an object; dropped`);
    return undefined;
  }
  const entry: OsvAffected = {};
  if (value.package !== undefined) {
    const pkg = osvPackage(value.package, `${path}.package`, warn);
    if (pkg === undefined) return undefined;
    entry.package = pkg;
  }
  const severity = severities(value.severity, `${path}.severity`, warn);
  if (severity !== undefined) entry.severity = severity;
  if (value.ranges !== undefined) {
    if (Array.isArray(value.ranges)) {
      entry.ranges = value.ranges.flatMap((item, i) => {
        const parsed = range(item, `${path}.ranges[${i}]`, warn);
        return parsed === undefined ? [] : [parsed];
      });
    } else {
      warn(`${path}.ranges is not a list; dropped`);
    }
  }
  const versions = stringList(value.versions, `${path}.versions`, warn);
  if (versions !== undefined) entry.versions = versions;
  const ecosystemSpecific = jsonObject(value.ecosystem_specific, `${path}.ecosystem_specific`, warn);
  if (ecosystemSpecific !== undefined) entry.ecosystem_specific = ecosystemSpecific;
  const databaseSpecific = jsonObject(value.database_specific, `${path}.database_specific`, warn);
  if (databaseSpecific !== undefined) entry.database_specific = databaseSpecific;
  if (entry.package === undefined && !(entry.ranges ?? []).some((r) => r.type === 'GIT')) {
    warn(`${path} names no package and has no GIT range; dropped`);
    return undefined;
  }
  return entry;
}

function osvPackage(value: unknown, path: string, warn: Warn): OsvPackage | undefined {
  if (!isObject(value)) {
    warn(`${path} is not an object; entry dropped`);
    return undefined;
  }
  const { ecosystem, name, purl } = value;
  if (typeof ecosystem !== 'string' || ecosystem.trim() === '') {
    warn(`${path}.ecosystem is missing; entry dropped`);
    return undefined;
  }
  if (typeof name !== 'string' || name.trim() === '') {
    warn(`${path}.name is missing; entry dropped`);
    return undefined;
  }
  const canonical = canonicalEcosystem(ecosystem);
  if (canonical !== ecosystem) warn(`${path}.ecosystem ${JSON.stringify(ecosystem)} read as ${canonical}`);
  const pkg: OsvPackage = { ecosystem: canonical, name };
  if (typeof purl === 'string' && purl !== '') pkg.purl = purl;
  else if (purl !== undefined) warn(`${path}.purl is not a string; dropped`);
  return pkg;
}

function range(value: unknown, path: string, warn: Warn): OsvRange | undefined {
  if (!isObject(value)) {
    warn(`${path} is not an object; dropped`);
    return undefined;
  }
  const type = value.type;
  if (typeof type !== 'string' || !RANGE_TYPES.includes(type as RangeType)) {
    warn(`${path} has unknown type ${describe(type)}; dropped`);
    return undefined;
  }
  if (!Array.isArray(value.events)) {
    warn(`${path} has no events; dropped`);
    return undefined;
  }
  const events = value.events.flatMap((item, i) => {
    const parsed = event(item, `${path}.events[${i}]`, warn);
    return parsed === undefined ? [] : [parsed];
  });
  if (events.length === 0) {
    warn(`${path} has no usable events; dropped`);
    return undefined;
  }
  if (!events.some((e) => 'introduced' in e)) warn(`${path} has no "introduced" event`);
  const result: OsvRange = { type: type as RangeType, events };
  if (typeof value.repo === 'string') result.repo = value.repo;
  else if (type === 'GIT') warn(`${path} is a GIT range without "repo"`);
  const databaseSpecific = jsonObject(value.database_specific, `${path}.database_specific`, warn);
  if (databaseSpecific !== undefined) result.database_specific = databaseSpecific;
  return result;
}

function event(value: unknown, path: string, warn: Warn): OsvEvent | undefined {
  if (!isObject(value)) {
    warn(`${path} is not an object; dropped`);
    return undefined;
  }
  const kinds = EVENT_KINDS.filter((kind) => value[kind] !== undefined);
  const kind = kinds[0];
  if (kind === undefined || kinds.length > 1) {
    warn(`${path} must have exactly one of ${EVENT_KINDS.join(', ')}; dropped`);
    return undefined;
  }
  let version = value[kind];
  if (typeof version === 'number') {
    warn(`${path}.${kind} is a number; read as a string`);
    version = String(version);
  }
  if (typeof version !== 'string' || version.trim() === '') {
    warn(`${path}.${kind} is not a version string; dropped`);
    return undefined;
  }
  // Kept as written: splitting "7.2.4, 6.11.4" into two events would change the range's meaning.
  if (version.includes(',')) warn(`${path}.${kind} ${JSON.stringify(version)} lists several versions`);
  switch (kind) {
    case 'introduced':
      return { introduced: version };
    case 'fixed':
      return { fixed: version };
    case 'last_affected':
      return { last_affected: version };
    case 'limit':
      return { limit: version };
  }
}

function severities(value: unknown, path: string, warn: Warn): OsvSeverity[] | undefined {
  return list(value, path, warn, (item, itemPath, itemWarn) => {
    if (!isObject(item)) {
      itemWarn(`${itemPath} is not an object; dropped`);
      return undefined;
    }
    const { type, score } = item;
    if (typeof type !== 'string' || !SEVERITY_TYPES.includes(type as SeverityType)) {
      itemWarn(`${itemPath} has unknown type ${describe(type)}; dropped`);
      return undefined;
    }
    if (typeof score !== 'string' || score.trim() === '') {
      itemWarn(`${itemPath} has an empty score; dropped`);
      return undefined;
    }
    return { type: type as SeverityType, score: score.trim() };
  });
}

function reference(item: unknown, path: string, warn: Warn): OsvReference | undefined {
  if (!isObject(item) || typeof item.url !== 'string' || item.url === '') {
    warn(`${path} has no url; dropped`);
    return undefined;
  }
  return { type: typeof item.type === 'string' ? item.type : 'WEB', url: item.url };
}

function credit(item: unknown, path: string, warn: Warn): OsvCredit | undefined {
  if (!isObject(item) || typeof item.name !== 'string') {
    warn(`${path} has no name; dropped`);
    return undefined;
  }
  const result: OsvCredit = { name: item.name };
  const contact = stringList(item.contact, `${path}.contact`, warn);
  if (contact !== undefined) result.contact = contact;
  if (typeof item.type === 'string') result.type = item.type;
  return result;
}

function list<T>(
  value: unknown,
  path: string,
  warn: Warn,
  item: (item: unknown, path: string, warn: Warn) => T | undefined,
): T[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    warn(`"${path}" is not a list; dropped`);
    return undefined;
  }
  return value.flatMap((entry, i) => {
    const parsed = item(entry, `${path}[${i}]`, warn);
    return parsed === undefined ? [] : [parsed];
  });
}

function stringList(value: unknown, path: string, warn: Warn): string[] | undefined {
  return list(value, path, warn, (item, itemPath, itemWarn) => {
    if (typeof item === 'string') return item;
    itemWarn(`${itemPath} is not a string; dropped`);
    return undefined;
  });
}

function optionalString(value: unknown, path: string, warn: Warn): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  warn(`"${path}" is not a string; dropped`);
  return undefined;
}

function jsonObject(value: unknown, path: string, warn: Warn): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  // Values come from JSON.parse, so an object here is already valid JSON.
  if (isObject(value)) return value as JsonObject;
  warn(`"${path}" is not an object; dropped`);
  return undefined;
}

function timestamp(value: string, path: string, warn: Warn): string {
  const trimmed = value.trim();
  if (!TIMESTAMP.test(trimmed)) warn(`"${path}" ${JSON.stringify(value)} is not an RFC 3339 timestamp`);
  return trimmed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

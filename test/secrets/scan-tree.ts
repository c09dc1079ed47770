import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SecretScanner } from '../../src/detect/secrets/scanner.js';
import type { SecretMatch } from '../../src/detect/secrets/types.js';

export interface TreeScan {
  files: number;
  bytes: number;
  matches: SecretMatch[];
}

/**
 * Scans a directory as if it were an image root: paths relative to `root`, files offered to
 * `wants` with their real size, captured ones scanned. Symlinks are not followed.
 */
export function scanTree(scanner: SecretScanner, root: string, prefix = ''): TreeScan {
  const result: TreeScan = { files: 0, bytes: 0, matches: [] };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      if (!entry.isFile()) continue;
      const path = `${prefix}${relative(root, full)}`;
      const size = lstatSync(full).size;
      const header = {
        path,
        type: 'file' as const,
        size,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        linkname: '',
      };
      if (scanner.wants(path, header) !== 'capture') continue;
      const content = readFileSync(full);
      result.files++;
      result.bytes += content.length;
      result.matches.push(...scanner.scanFile({ path, content }));
    }
  };
  walk(root);
  return result;
}

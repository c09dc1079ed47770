import type { CapturedFile } from '../../image/scan/image-files.js';
import type { SecretScanner } from './scanner.js';
import type { SecretMatch } from './types.js';

/**
 * Secrets in the files an image scan captured, in every layer: a file a later layer deletes or
 * replaces is still in the image (anyone who pulls it gets that layer), so it is scanned and
 * reported with its layer and `deletedLater`. Files captured only for other visitors are skipped
 * by the scanner's own interest test.
 */
export function scanCapturedFiles(scanner: SecretScanner, files: Iterable<CapturedFile>): SecretMatch[] {
  const matches: SecretMatch[] = [];
  for (const file of files) {
    const header = {
      path: file.path,
      type: 'file' as const,
      size: file.data.length,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: 0,
      linkname: '',
    };
    if (scanner.wants(file.path, header) !== 'capture') continue;
    matches.push(
      ...scanner.scanFile({
        path: file.path,
        content: file.data,
        layer: file.layer,
        deletedLater: !file.visible,
      }),
    );
  }
  return matches;
}

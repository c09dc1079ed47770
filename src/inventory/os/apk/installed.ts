/** One package of Alpine's `lib/apk/db/installed`. */
export interface ApkRecord {
  name: string;
  version: string;
  origin: string;
  architecture: string;
  license: string;
  /** Files owned by the package, image-root relative. */
  files: string[];
}

/**
 * Parses apk's installed database: blank-line separated records of `X:value` lines, where
 * `F:` opens a directory and each following `R:` names a file in it.
 */
export function parseApkInstalled(text: string): { records: ApkRecord[]; warnings: string[] } {
  const records: ApkRecord[] = [];
  const warnings: string[] = [];
  let current: ApkRecord | undefined;
  let directory = '';
  const finish = () => {
    if (!current) return;
    if (current.name && current.version) records.push(current);
    else warnings.push('lib/apk/db/installed: skipped a record without P:/V:');
    current = undefined;
    directory = '';
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      finish();
      continue;
    }
    if (line[1] !== ':') continue;
    current ??= { name: '', version: '', origin: '', architecture: '', license: '', files: [] };
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        current.name = value;
        break;
      case 'V':
        current.version = value;
        break;
      case 'o':
        current.origin = value;
        break;
      case 'A':
        current.architecture = value;
        break;
      case 'L':
        current.license = value;
        break;
      case 'F':
        directory = value.replace(/^\/+|\/+$/g, '');
        break;
      case 'R':
        current.files.push(directory ? `${directory}/${value}` : value);
        break;
    }
  }
  finish();
  for (const record of records) record.origin ||= record.name;
  return { records, warnings };
}

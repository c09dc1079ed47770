/**
 * PAX extended header records: `"<length> <key>=<value>\n"`, where length counts the whole
 * record including itself. Returns undefined for a malformed body, so the reader can report
 * where in the archive it was.
 */
export function parsePaxRecords(body: Buffer): Map<string, string> | undefined {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < body.length) {
    // A zero-padded tail is tolerated (some writers pad the body with NULs).
    if (body[pos] === 0) break;
    const space = body.indexOf(0x20, pos);
    if (space < 0 || space - pos > 12) return undefined;
    let length = 0;
    for (let i = pos; i < space; i++) {
      const c = body[i] ?? 0;
      if (c < 0x30 || c > 0x39) return undefined;
      length = length * 10 + (c - 0x30);
    }
    const end = pos + length;
    if (length <= space - pos + 1 || end > body.length || body[end - 1] !== 0x0a) return undefined;
    const equals = body.indexOf(0x3d, space + 1);
    if (equals < 0 || equals >= end - 1 || equals === space + 1) return undefined;
    const key = body.toString('utf8', space + 1, equals);
    const value = body.toString('utf8', equals + 1, end - 1);
    records.set(key, value);
    pos = end;
  }
  return records;
}

/**
 * Numeric header fields: octal text (NUL/space padded, as ustar writes them) or, when the
 * high bit of the first byte is set, a big-endian base-256 binary number (GNU/star extension
 * for values that do not fit in octal). Returns -1 for a field that is neither, so callers
 * decide whether a bad field is fatal (size) or ignorable (mtime).
 */
export function parseNumeric(block: Uint8Array, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) return parseBase256(block, start, length);
  return parseOctal(block, start, length);
}

function parseOctal(block: Uint8Array, start: number, length: number): number {
  const end = start + length;
  let i = start;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i] ?? 0;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) return -1;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  // Only padding may follow the digits.
  for (; i < end; i++) {
    const c = block[i];
    if (c !== 0x20 && c !== 0) return -1;
  }
  return digits === 0 ? 0 : value;
}

function parseBase256(block: Uint8Array, start: number, length: number): number {
  const first = block[start] ?? 0;
  // 0xff marks a negative number: no tar field we read may be negative.
  if (first === 0xff) return -1;
  let value = first & 0x7f;
  for (let i = start + 1; i < start + length; i++) {
    value = value * 256 + (block[i] ?? 0);
    if (value > Number.MAX_SAFE_INTEGER) return -1;
  }
  return value;
}

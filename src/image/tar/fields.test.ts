import { describe, expect, it } from 'vitest';
import { parseNumeric } from './numeric.js';
import { ESCAPES_ROOT, normalizeEntryPath } from './path.js';
import { parsePaxRecords } from './pax.js';

describe('normalizeEntryPath', () => {
  it('makes paths relative to the root and applies . and .. lexically', () => {
    expect(normalizeEntryPath('usr/bin/env')).toBe('usr/bin/env');
    expect(normalizeEntryPath('./usr//bin/./env')).toBe('usr/bin/env');
    expect(normalizeEntryPath('/etc/passwd')).toBe('etc/passwd');
    expect(normalizeEntryPath('usr/bin/')).toBe('usr/bin');
    expect(normalizeEntryPath('a/b/../c')).toBe('a/c');
    expect(normalizeEntryPath('./')).toBe('');
    expect(normalizeEntryPath('.hidden/..dots/...')).toBe('.hidden/..dots/...');
  });

  it('refuses paths that climb above the root, absolute or not', () => {
    expect(normalizeEntryPath('../etc/passwd')).toBe(ESCAPES_ROOT);
    expect(normalizeEntryPath('/../etc/passwd')).toBe(ESCAPES_ROOT);
    expect(normalizeEntryPath('a/../../b')).toBe(ESCAPES_ROOT);
    expect(normalizeEntryPath('..')).toBe(ESCAPES_ROOT);
  });
});

describe('parseNumeric', () => {
  const field = (text: string, length = 12): Buffer => {
    const b = Buffer.alloc(length);
    b.write(text, 'latin1');
    return b;
  };

  it('reads octal with NUL or space padding', () => {
    expect(parseNumeric(field('00000001750\0'), 0, 12)).toBe(1000);
    expect(parseNumeric(field('  1750 \0'), 0, 12)).toBe(1000);
    expect(parseNumeric(field(''), 0, 12)).toBe(0);
  });

  it('reads base-256 and refuses negative or malformed fields', () => {
    const b = Buffer.alloc(12);
    b[0] = 0x80;
    b.writeUIntBE(2 ** 40 + 5, 6, 6);
    expect(parseNumeric(b, 0, 12)).toBe(2 ** 40 + 5);
    expect(parseNumeric(Buffer.alloc(12, 0xff), 0, 12)).toBe(-1);
    expect(parseNumeric(field('12x4'), 0, 12)).toBe(-1);
    expect(parseNumeric(field('17 5'), 0, 12)).toBe(-1);
    expect(parseNumeric(field('9'), 0, 12)).toBe(-1);
  });
});

describe('parsePaxRecords', () => {
  it('reads length-prefixed records, values may hold = and newlines', () => {
    const records = parsePaxRecords(Buffer.from('20 path=a=b/c\nd.txt\n20 linkpath=/target\n'));
    expect(records).toEqual(
      new Map([
        ['path', 'a=b/c\nd.txt'],
        ['linkpath', '/target'],
      ]),
    );
  });

  it('refuses malformed records', () => {
    expect(parsePaxRecords(Buffer.from('99 path=short\n'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('x path=a\n'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('9 =value\n'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('10 path=ab'))).toBeUndefined();
  });
});

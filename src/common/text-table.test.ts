import { describe, expect, it } from 'vitest';
import { alignColumns, oneLine } from './text-table.js';

describe('text tables', () => {
  it('aligns columns and leaves the last one unpadded', () => {
    expect(
      alignColumns([
        ['A', 'BB', 'c'],
        ['AAA', 'B', ''],
      ]),
    ).toEqual(['A    BB  c', 'AAA  B']);
  });

  it('folds and cuts long text', () => {
    expect(oneLine('a\n  b\tc', 10)).toBe('a b c');
    expect(oneLine('abcdefghijk', 5)).toBe('abcd…');
  });
});

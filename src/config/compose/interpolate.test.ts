// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose and shell `${...}` syntax is the test input.
import { describe, expect, it } from 'vitest';
import { interpolate, parseDotEnv } from './interpolate.js';

const env: Record<string, string> = { SET: 'v', EMPTY: '' };
const lookup = (n: string): string | undefined => env[n];
const run = (t: string): string => interpolate(t, lookup).value;

describe('interpolate (Compose specification semantics)', () => {
  it.each([
    ['$SET and ${SET}', 'v and v'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-${SET}-x}', 'v-x'],
    ['$$SET costs $$5', '$SET costs $5'],
    ['price: 5$', 'price: 5$'],
  ])('%s → %s', (input, expected) => {
    expect(run(input)).toBe(expected);
  });

  it('reports missing variables and required ones fail', () => {
    expect(interpolate('${NOPE}', lookup).missing).toEqual(['NOPE']);
    expect(() => run('${NOPE:?set NOPE}')).toThrow(/required variable NOPE is missing a value: set NOPE/);
    expect(() => run('${EMPTY:?x}')).toThrow(/EMPTY/);
    expect(run('${EMPTY?x}')).toBe('');
    expect(() => run('${BAD')).toThrow(/invalid interpolation/);
  });

  it('parses .env files', () => {
    const vars = parseDotEnv('# c\nA=1\nexport B = two # note\nC=\'lit $X\'\nD="a\\nb"\nbad line\n');
    expect(Object.fromEntries(vars)).toEqual({ A: '1', B: 'two', C: 'lit $X', D: 'a\nb' });
  });
});

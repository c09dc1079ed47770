import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import { checkRegex } from './regex-safety.js';

function rejection(pattern: string): string {
  try {
    checkRegex(pattern, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(CeranaError);
    return (error as CeranaError).message;
  }
  throw new Error(`accepted ${pattern}`);
}

describe('checkRegex', () => {
  it.each([
    ['x*', /unbounded quantifier/],
    ['x+', /unbounded quantifier/],
    ['x{2,}', /unbounded quantifier/],
    ['(a{1,5}){1,5}', /repeated group contains a quantifier/],
    ['(?:ab|a){0,10}', /repeated group contains .* alternation/],
    ['(a)\\1', /back-reference/],
    ['(?<n>a)\\k<n>', /back-reference/],
    ['a{0,5000}', /exceeds 4096/],
    ['a{0,4096}a{0,4096}b', /steps per start position/],
    ['(?=a){2}', /quantifier on an assertion/],
    ['[abc', /unterminated character class/],
    ['(abc', /unterminated group/],
    ['abc)', /unbalanced/],
    ['a{', /must be escaped/],
    ['a??+', /stacked quantifiers/],
    ['(?#comment)', /unsupported group syntax/],
  ])('rejects %s', (pattern, message) => {
    expect(rejection(pattern)).toMatch(message);
  });

  it('accepts bounded patterns and reports the longest match', () => {
    expect(checkRegex('\\bghp_[A-Za-z0-9]{36}\\b', 't').maxLength).toBe(40);
    expect(checkRegex('(?:ab|cde)x{2,3}(?=y{4})', 't').maxLength).toBe(3 + 3 + 4);
    expect(checkRegex('(?:-[a-z]{2,8})?', 't').maxLength).toBe(9);
  });

  it('counts backtracking only where a repetition can also start what follows', () => {
    // disjoint neighbours: the engine cannot try many splits
    expect(checkRegex('[a-z]{10,40}\\.[0-9]{1,9}', 't').cost).toBe(1);
    // overlapping neighbours: every split is a path
    expect(checkRegex('\\s{0,4}\\s{0,4}x', 't').cost).toBe(5);
    expect(checkRegex('(?i)a{0,9}A', 't').cost).toBe(10);
    expect(checkRegex('a{0,9}A', 't').cost).toBe(1);
  });

  it('turns leading inline flags and Go-style group names into JavaScript', () => {
    const safe = checkRegex('(?im)^(?P<secret>x{3})$', 't');
    expect(safe.flags).toBe('im');
    expect(safe.source).toBe('^(?<secret>x{3})$');
    expect(new RegExp(safe.source, safe.flags).exec('a\nXXX')?.groups?.secret).toBe('XXX');
  });

  it('rejects what JavaScript itself cannot compile', () => {
    expect(rejection('[z-a]')).toMatch(/invalid range/);
  });
});

import { describe, expect, it } from 'vitest';
import { compileRegex, RegexSyntaxError } from './regex.js';

describe('regex', () => {
  it('requires the whole value to match', () => {
    const r = compileRegex('ba.h');
    expect(r('bash')).toBe(true);
    expect(r('/bin/bash')).toBe(false);
    expect(compileRegex('.*bash')('/bin/bash')).toBe(true);
  });

  it('supports classes, alternation, groups and counted repetition', () => {
    expect(compileRegex('[a-z]+[0-9]{2,3}')('abc123')).toBe(true);
    expect(compileRegex('[a-z]+[0-9]{2,3}')('abc1234')).toBe(false);
    expect(compileRegex('(?:nc|ncat|netcat)')('ncat')).toBe(true);
    expect(compileRegex('(nc|ncat)')('netcat')).toBe(false);
    expect(compileRegex('[^/]+')('a/b')).toBe(false);
    expect(compileRegex('[[:digit:]]+\\.[[:alpha:]]+')('12.ab')).toBe(true);
    expect(compileRegex('\\d+\\s\\w+')('42 x_y')).toBe(true);
    expect(compileRegex('a{3}')('aaa')).toBe(true);
    expect(compileRegex('a{3}')('aa')).toBe(false);
    expect(compileRegex('a{2,}')('aaaaa')).toBe(true);
    expect(compileRegex('x?y*z+')('zz')).toBe(true);
    expect(compileRegex('a\\.b')('a.b')).toBe(true);
    expect(compileRegex('a\\.b')('axb')).toBe(false);
  });

  it('supports flags and anchors', () => {
    expect(compileRegex('(?i)BASH')('bash')).toBe(true);
    expect(compileRegex('(?i:B)ash')('bash')).toBe(true);
    expect(compileRegex('B(?i:A)sh')('bash')).toBe(false);
    expect(compileRegex('^abc$')('abc')).toBe(true);
    expect(compileRegex('.*\\bcat\\b.*')('run cat now')).toBe(true);
    expect(compileRegex('.*\\bcat\\b.*')('concatenate')).toBe(false);
    expect(compileRegex('a.b')('a\nb')).toBe(false);
    expect(compileRegex('(?s)a.b')('a\nb')).toBe(true);
  });

  it('runs in linear time on patterns that make backtracking engines explode', () => {
    const r = compileRegex('(a+)+$');
    const start = performance.now();
    expect(r(`${'a'.repeat(20000)}!`)).toBe(false);
    expect(compileRegex('(a*)*b')('a'.repeat(20000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(3000);
  });

  it('rejects invalid or oversized patterns with a syntax error', () => {
    for (const bad of ['(a', 'a)', '[a', '*a', 'a{2000}', '\\q', '[z-a]', 'a{3,1}']) {
      expect(() => compileRegex(bad), bad).toThrow(RegexSyntaxError);
    }
    expect(() => compileRegex('a'.repeat(5000))).toThrow(RegexSyntaxError);
  });
});

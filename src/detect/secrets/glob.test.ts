import { describe, expect, it } from 'vitest';
import { Glob } from './glob.js';

describe('Glob', () => {
  it.each([
    ['**/.env', '.env', true],
    ['**/.env', 'app/srv/.env', true],
    ['**/.env', 'app/.envrc', false],
    ['**/.env.*', 'app/.env.production', true],
    ['**/testdata/**', 'go/src/x/testdata/key.pem', true],
    ['**/testdata/**', 'testdata/a', true],
    ['usr/share/doc/**', 'usr/share/doc/bash/README', true],
    ['usr/share/doc/**', 'usr/share/docs/x', false],
    ['/usr/share/doc/**', 'usr/share/doc/x', true],
    ['usr/lib/python3*/test/**', 'usr/lib/python3.11/test/test_ssl.py', true],
    ['**/node_modules/**/*.{md,markdown}', 'app/node_modules/a/b/README.md', true],
    ['**/node_modules/**/*.{md,markdown}', 'app/node_modules/a/README.txt', false],
    ['**/wp-config-*.php', 'var/www/wp-config-prod.php', true],
    ['**/application*.yml', 'app/application-prod.yml', true],
    ['a/?.txt', 'a/b.txt', true],
    ['a/?.txt', 'a/bc.txt', false],
    ['config:Env', 'config:Env', true],
    ['config:Env', 'config:Labels', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(new Glob(pattern).matches(path)).toBe(expected);
  });

  it('answers pathological patterns (many **) without exponential search', () => {
    expect(new Glob(`${'**/'.repeat(40)}x`).matches(`${'a/'.repeat(2000)}b`)).toBe(false);
  });

  it('rejects unbalanced braces and brace bombs', () => {
    expect(() => new Glob('a/{b,c')).toThrow(/unbalanced/);
    expect(() => new Glob('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}')).toThrow(/too many/);
  });
});

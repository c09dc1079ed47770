import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it('reads a distribution bearer challenge', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/debian:pull',
        },
      },
    ]);
  });

  it('reads basic, unquoted and escaped values, and several challenges in one header', () => {
    expect(
      parseChallenges(
        'Basic realm="a \\"quoted\\" realm", Bearer realm=https://x/t , error=insufficient_scope',
      ),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', error: 'insufficient_scope' } },
    ]);
  });

  it('keeps scopes with spaces and commas inside quotes', () => {
    const [challenge] = parseChallenges('bearer REALM="r", Scope="repository:a:pull,push repository:b:pull"');
    expect(challenge?.params).toEqual({ realm: 'r', scope: 'repository:a:pull,push repository:b:pull' });
  });

  it('gives a bounded result for garbage', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('=== ,,, "')).toEqual([]);
    expect(parseChallenges('Bearer realm="unterminated')).toEqual([
      { scheme: 'bearer', params: { realm: 'unterminated' } },
    ]);
    expect(parseChallenges(`Bearer ${'a=b,'.repeat(10_000)}`)[0]?.params.a).toBe('b');
  });
});

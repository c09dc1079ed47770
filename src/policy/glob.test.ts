import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.js';

describe('globMatch', () => {
  it('matches * against any run of characters', () => {
    expect(globMatch('CVE-2024-*', 'CVE-2024-3094')).toBe(true);
    expect(globMatch('CVE-2024-*', 'CVE-2023-4911')).toBe(false);
    expect(globMatch('registry.example/*/web', 'registry.example/team/web')).toBe(true);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('/app/*.env', '/app/.env')).toBe(true);
  });

  it('stays fast on patterns that make naive regexes backtrack', () => {
    const started = performance.now();
    expect(globMatch(`${'*a'.repeat(30)}b`, 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

import { describe, expect, it } from 'vitest';
import { cerana } from '../support/cli.js';

describe('cerana version compare', () => {
  it.each([
    ['dpkg', '1.0~rc1', '1.0', '<'],
    ['Debian:12', '1:2.0', '2.0', '>'],
    ['pep440', '1.0.post1', '1.0', '>'],
    ['npm', '1.0.0-beta.2', '1.0.0-beta.11', '<'],
    ['maven', '1.0-ga', '1.0', '='],
  ])('%s %s vs %s', async (scheme, a, b, symbol) => {
    const result = await cerana(['version', 'compare', scheme, a, b]);
    expect(result).toEqual({ code: 0, stdout: `${symbol}\n`, stderr: '' });
  });

  it('explains how each side was read', async () => {
    const result = await cerana(['version', 'compare', 'dpkg', '1:2.0', '2.0', '--explain']);
    expect(result.stdout).toMatch(/^1:2\.0 > 2\.0 \(dpkg\)\n {2}1:2\.0: epoch 1/);
  });

  it('rejects unknown schemes and invalid versions with exit code 2', async () => {
    const unknown = await cerana(['version', 'compare', 'nope', '1', '2']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^cerana: unknown version scheme "nope"/);
    const invalid = await cerana(['version', 'compare', 'semver', 'x', '2']);
    expect(invalid.code).toBe(2);
    expect((await cerana(['version', 'diff', 'a', 'b'])).code).toBe(2);
  });
});

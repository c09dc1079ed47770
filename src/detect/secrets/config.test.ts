import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../common/errors.js';
import { buildRuleSet, builtinConfig, parseConfig } from './config.js';
import { SecretScanner } from './scanner.js';

const TOKEN = 'ghp_aZ3kQ9wLm2Xv7Rt5Yp8Nc4Hs6Jd1Fb0Ge3Uq';

function scan(user: string, path: string, text: string) {
  const scanner = new SecretScanner(buildRuleSet({ user: parseConfig(user, 'user.yaml') }));
  return scanner.scanFile({ path, content: Buffer.from(text) }).map((m) => m.ruleId);
}

function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).code).toBe('INPUT');
    return (error as CeranaError).message;
  }
  throw new Error('no error');
}

describe('secret config', () => {
  it('loads the built-in rules', () => {
    expect(builtinConfig().rules?.length).toBeGreaterThanOrEqual(100);
  });

  it('disables rules by id', () => {
    expect(scan('', 'a.txt', `t=${TOKEN}`)).toEqual(['github-pat']);
    expect(scan('disable: [github-pat]', 'a.txt', `t=${TOKEN}`)).toEqual([]);
    expect(scan('allow: { rules: [github-pat] }', 'a.txt', `t=${TOKEN}`)).toEqual([]);
  });

  it('adds rules and replaces a built-in rule with the same id', () => {
    const extra = `rules:
  - id: acme-key
    title: ACME internal key
    severity: HIGH
    keywords: [acme_]
    regex: '\\bacme_[a-z0-9]{24}\\b'
  - id: github-pat
    title: GitHub token (ours)
    severity: LOW
    keywords: [ghp_]
    regex: '\\bghp_[A-Za-z0-9]{36}\\b'
`;
    const scanner = new SecretScanner(buildRuleSet({ user: parseConfig(extra, 'user.yaml') }));
    const found = scanner.scanFile({
      path: 'a.txt',
      content: Buffer.from(`k=acme_q8w7e6r5t4y3u2i1o9p8a7s6\n${TOKEN}\n`),
    });
    expect(found.map((m) => [m.ruleId, m.severity])).toEqual([
      ['acme-key', 'HIGH'],
      ['github-pat', 'LOW'],
    ]);
  });

  it('allows by path, by rule and path, and by regex', () => {
    expect(scan("allow: { paths: ['opt/vendor/**'] }", 'opt/vendor/x/a.txt', TOKEN)).toEqual([]);
    expect(scan("allow: { rules: [{ id: github-pat, paths: ['ci/**'] }] }", 'ci/a.txt', TOKEN)).toEqual([]);
    expect(scan("allow: { rules: [{ id: github-pat, paths: ['ci/**'] }] }", 'app/a.txt', TOKEN)).toEqual([
      'github-pat',
    ]);
    expect(scan("allow: { regexes: ['^ghp_aZ3k'] }", 'a.txt', TOKEN)).toEqual([]);
    expect(scan("allow: { rules: [{ id: github-pat, regexes: ['Ge3Uq$'] }] }", 'a.txt', TOKEN)).toEqual([]);
  });

  it('can drop the built-in allow-lists', () => {
    const path = 'usr/share/doc/app/notes.txt';
    expect(scan('', path, TOKEN)).toEqual([]);
    expect(scan('builtinAllow: false', path, TOKEN)).toEqual(['github-pat']);
  });

  it('rejects unsafe or malformed configs with one clear line', () => {
    const rule = (regex: string) =>
      `rules:\n  - id: bad\n    title: Bad\n    severity: HIGH\n    keywords: [x]\n    regex: '${regex}'\n`;
    expect(inputError(() => buildRuleSet({ user: parseConfig(rule('(a+)+$'), 'u.yaml') }))).toMatch(
      /secret rule bad: unbounded quantifier/,
    );
    expect(inputError(() => parseConfig('rulez: []', 'u.yaml'))).toMatch(
      /u.yaml: document: unknown key 'rulez'/,
    );
    expect(
      inputError(() => parseConfig('rules: [{ id: x1, title: t, severity: BAD, regex: a }]', 'u.yaml')),
    ).toMatch(/severity/);
    expect(
      inputError(() => parseConfig('rules: [{ id: x1, title: t, severity: LOW, regex: a }]', 'u.yaml')),
    ).toMatch(/needs keywords, or paths/);
    expect(
      inputError(() => buildRuleSet({ user: parseConfig('disable: [no-such-rule]', 'u.yaml') })),
    ).toMatch(/unknown rule: no-such-rule/);
    expect(inputError(() => parseConfig('rules: [', 'u.yaml'))).toMatch(/not valid YAML/);
    expect(inputError(() => parseConfig('a: &a [*a, *a]\n', 'u.yaml'))).toMatch(/u.yaml/);
    expect(
      inputError(() =>
        buildRuleSet({ user: parseConfig(`${rule('(?<s>x{3})')}    secretGroup: 2\n`, 'u.yaml') }),
      ),
    ).toMatch(/has no group 2/);
  });

  it('changes its version when the effective rules change', () => {
    const base = buildRuleSet().version;
    expect(buildRuleSet().version).toBe(base);
    expect(buildRuleSet({ user: { disable: ['jwt'] } }).version).not.toBe(base);
  });
});

import { describe, expect, it } from 'vitest';
import { buildRuleSet } from '../../src/detect/secrets/config.js';
import { SecretScanner } from '../../src/detect/secrets/scanner.js';
import { CASES, Gen, key, NEGATIVES } from './cases.js';

const rules = buildRuleSet();
const scanner = new SecretScanner(rules);
const regexOnly = new SecretScanner(rules, { prefilter: false });
const DEFAULT_PATH = 'app/config.txt';
const SEEDS = [1, 2, 3];

function scan(path: string, text: string) {
  return scanner.scanFile({ path, content: Buffer.from(text) });
}

describe('built-in secret rules', () => {
  it('has at least 100 rules, each with a planted case', () => {
    const ids = rules.rules.map((r) => r.spec.id);
    expect(ids.length).toBeGreaterThanOrEqual(100);
    expect(ids.filter((id) => CASES[id] === undefined)).toEqual([]);
    expect(Object.keys(CASES).filter((id) => !ids.includes(id))).toEqual([]);
  });

  describe.each(rules.rules.map((r) => r.spec.id))('%s', (id) => {
    const c = CASES[id];
    if (c === undefined) return;
    const path = c.path ?? DEFAULT_PATH;

    it('finds a secret in the real format, and reports it redacted', () => {
      for (const seed of SEEDS) {
        const gen = new Gen(false, seed);
        const text = c.text(gen);
        const found = scan(path, text);
        expect(
          found.map((m) => m.ruleId),
          text,
        ).toContain(id);
        const report = JSON.stringify(found);
        for (const value of gen.produced) if (value.length >= 8) expect(report).not.toContain(value);
      }
    });

    it('finds the same with and without the keyword prefilter', () => {
      const text = c.text(new Gen(false, 42));
      expect(scan(path, text)).toEqual(regexOnly.scanFile({ path, content: Buffer.from(text) }));
    });

    it('ignores the same text with placeholder values', () => {
      const text = c.text(new Gen(true, 0));
      expect(scan(path, text), text).toEqual([]);
    });
  });

  it.each(NEGATIVES.map((n) => [n.why, n] as const))('ignores %s', (_why, n) => {
    expect(scan(n.path ?? DEFAULT_PATH, n.text)).toEqual([]);
  });

  it.each([
    ['rsa-encrypted', 'rsa-private-key'],
    ['ec-encrypted', 'ec-private-key'],
    ['openssh-encrypted', 'openssh-private-key'],
    ['pgp-encrypted', 'pgp-private-key'],
    ['pkcs8-encrypted', 'pkcs8-encrypted-private-key'],
  ] as const)('reports a %s key with lower severity', (kind, ruleId) => {
    const [match] = scan('root/key.pem', key(kind));
    expect(match?.ruleId).toBe(ruleId);
    expect(match?.severity).toBe('MEDIUM');
  });

  it.each([
    ['rsa', 'rsa-private-key'],
    ['openssh', 'openssh-private-key'],
    ['pgp', 'pgp-private-key'],
    ['pkcs8-ed25519', 'pkcs8-private-key'],
  ] as const)('reports an unencrypted %s key as HIGH, spanning the key block', (kind, ruleId) => {
    const pem = key(kind);
    const [match] = scan('root/key.pem', pem);
    expect(match?.ruleId).toBe(ruleId);
    expect(match?.severity).toBe('HIGH');
    expect(match?.line).toBe(1);
    expect(match?.endLine).toBe(pem.trimEnd().split('\n').length);
  });

  it('finds a private key embedded in JSON with escaped newlines', () => {
    const json = JSON.stringify({ key: key('rsa') });
    const found = scan('app/secrets.json', json);
    expect(found.map((m) => m.ruleId)).toEqual(['rsa-private-key']);
  });
});

import { describe, expect, it } from 'vitest';
import { buildRuleSet } from './config.js';
import { SecretScanner } from './scanner.js';

/**
 * Inputs built to make backtracking regexes explode: long runs with no terminator, keyword
 * prefixes repeated back to back, key headers with no END. Each must scan in time comparable
 * to a benign file of the same size (generous factor, measured in the same run; no absolute
 * times). A catastrophic pattern would be millions of times slower (quadratic in a 1 MiB input),
 * not hundreds; the factor leaves room for a loaded CI machine.
 */

const SIZE = 1024 * 1024;
const FACTOR = 1000;
const rules = buildRuleSet();
const scanner = new SecretScanner(rules);
const PATHS = [
  'app/notes.txt',
  'app/.env',
  'root/.npmrc',
  'root/.pgpass',
  'etc/nginx/.htpasswd',
  'app/config/application.properties',
  'root/.docker/config.json',
  'app/config/master.key',
];

function fill(unit: string, size = SIZE): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function pseudoRandom(chars: string, size: number, seed = 1): string {
  let s = seed;
  let out = '';
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out += chars[s % chars.length];
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const keywords = [...new Set(rules.rules.flatMap((r) => r.spec.keywords ?? []))];

const ADVERSARIAL: [string, string][] = [
  ['1 MiB of a', fill('a')],
  ['a run ending in !', `${fill('a', SIZE - 1)}!`],
  ['base64 with no terminator', pseudoRandom(B64, SIZE)],
  ['digits and colons', fill('1234567890:')],
  ['every keyword back to back', fill(keywords.join(''))],
  [
    'every keyword followed by a token-like run',
    fill(keywords.map((k) => `${k}${pseudoRandom(B64, 60, k.length)}`).join('')),
  ],
  ['every keyword then = and a run', fill(keywords.map((k) => `${k}=${'a'.repeat(80)} `).join(''))],
  ['key headers with no END', fill('-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n')],
  ['key headers then base64', `-----BEGIN OPENSSH PRIVATE KEY-----\n${pseudoRandom(B64, SIZE - 36)}`],
  ['JWT-shaped runs', fill(`eyJ${'a'.repeat(3990)}.eyJ${'b'.repeat(50)}.`)],
  ['URL credentials with no host', fill('postgres://a:b:c:d')],
  ['URL-ish with @ everywhere', fill('https://u:p@')],
  ['env names with no value', fill('DB_PASSWORD_SECRET_TOKEN')],
  ['assignments of short values', fill('password="x" ')],
  ['long lines of quotes', fill('"\'`')],
  ['one character per line', fill('a\n')],
  ['AWS-like ids without boundary', fill('AKIA')],
  ['sig= and sv= soup', fill('?sv=2020-01-01&sig=&sv=2020-01-01&')],
  ['server= connection string soup', fill('Server=a;Password=')],
  ['curl -u soup', fill('curl -u curl -u ')],
  ['spring keys', fill('spring.datasource.password')],
];

function time(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe('adversarial inputs', () => {
  const benign = fill('The quick brown fox jumps over the lazy dog while the river runs cold. ');
  const scanAll = (text: string) => {
    const content = Buffer.from(text, 'latin1');
    for (const path of PATHS) scanner.scanFile({ path, content });
  };
  // Warm the JIT, then take the best of three as the baseline.
  scanAll(benign);
  const baseline = Math.max(
    Math.min(
      time(() => scanAll(benign)),
      time(() => scanAll(benign)),
      time(() => scanAll(benign)),
    ),
    1,
  );

  it.each(ADVERSARIAL)('%s finishes in bounded time', (_name, text) => {
    expect(Buffer.byteLength(text, 'latin1')).toBe(SIZE);
    const elapsed = time(() => scanAll(text));
    const ratio = elapsed / baseline;
    if (process.env.CERANA_SECRETS_VERBOSE === '1') console.log(`${_name}: ${ratio.toFixed(1)}x`);
    expect(ratio, `${elapsed.toFixed(0)} ms vs ${baseline.toFixed(1)} ms benign`).toBeLessThan(FACTOR);
  });

  it('also bounds image-config strings', () => {
    const elapsed = time(() =>
      scanner.scanConfig({
        platform: { os: 'linux', architecture: 'amd64' },
        user: '',
        env: [`A=${fill('password=')}`],
        entrypoint: [],
        cmd: [],
        workingDir: '',
        exposedPorts: [],
        volumes: [],
        labels: { x: fill('token ') },
        history: [{ createdBy: fill('|1 TOKEN=a /bin/sh -c curl -u '), emptyLayer: false }],
        diffIds: [],
      }),
    );
    expect(elapsed / baseline).toBeLessThan(FACTOR);
  });
});

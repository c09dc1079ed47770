import { describe, expect, it } from 'vitest';
import type { ImageConfig, TarHeader } from '../../image/types.js';
import { buildRuleSet } from './config.js';
import { toFinding } from './findings.js';
import { SecretScanner } from './scanner.js';

const rules = buildRuleSet();
const scanner = new SecretScanner(rules);
const KEY_ID = 'AKIA2KQ7ZLX4VMN3PRT6';
const SECRET = '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';
const TOKEN = 'ghp_aZ3kQ9wLm2Xv7Rt5Yp8Nc4Hs6Jd1Fb0Ge3Uq';

function header(path: string, size: number, type: TarHeader['type'] = 'file'): TarHeader {
  return { path, type, size, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkname: '' };
}

function scan(text: string | Buffer, path = 'app/config.txt') {
  return scanner.scanFile({ path, content: typeof text === 'string' ? Buffer.from(text) : text });
}

function config(partial: Partial<ImageConfig>): ImageConfig {
  return {
    platform: { os: 'linux', architecture: 'amd64' },
    user: '',
    env: [],
    entrypoint: [],
    cmd: [],
    workingDir: '',
    exposedPorts: [],
    volumes: [],
    labels: {},
    history: [],
    diffIds: [],
    ...partial,
  };
}

describe('SecretScanner.wants', () => {
  it('captures regular text-like files under the size cap', () => {
    expect(scanner.wants('app/.env', header('app/.env', 100))).toBe('capture');
    expect(scanner.wants('app/big.log', header('app/big.log', rules.maxFileSize + 1))).toBe(false);
    expect(scanner.wants('app/empty', header('app/empty', 0))).toBe(false);
    expect(scanner.wants('app/logo.PNG', header('app/logo.PNG', 100))).toBe(false);
    expect(scanner.wants('app/link', header('app/link', 0, 'symlink'))).toBe(false);
  });

  it('skips allow-listed paths before capture', () => {
    expect(scanner.wants('usr/share/doc/x/README', header('usr/share/doc/x/README', 10))).toBe(false);
    expect(
      scanner.wants('app/node_modules/a/test/key.pem', header('app/node_modules/a/test/key.pem', 10)),
    ).toBe(false);
    expect(scanner.wants('app/test/key.pem', header('app/test/key.pem', 10))).toBe('capture');
  });
});

describe('SecretScanner.scanFile', () => {
  it('reports path, layer, line, column and whether a later layer deleted the file', () => {
    const [match] = scanner.scanFile({
      path: 'root/.config/token',
      content: Buffer.from(`# token\n  value: ${TOKEN}\n`),
      layer: 'sha256:1111',
      deletedLater: true,
    });
    expect(match).toMatchObject({
      ruleId: 'github-pat',
      path: 'root/.config/token',
      layer: 'sha256:1111',
      line: 2,
      column: 10,
      deletedLater: true,
      redacted: 'ghp_****Uq',
    });
  });

  it('counts columns in UTF-16 code units', () => {
    const [match] = scan(`mot de passe: «élevé» ${TOKEN}`);
    expect(match?.column).toBe('mot de passe: «élevé» '.length + 1);
  });

  it('skips binary files and files over the size cap', () => {
    expect(scan(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(TOKEN)]))).toEqual([]);
    const small = new SecretScanner(buildRuleSet({ user: { maxFileSize: 10 } }));
    expect(small.scanFile({ path: 'a', content: Buffer.from(TOKEN) })).toEqual([]);
  });

  it('reports an access key id and its secret key as one finding when they are close', () => {
    const found = scan(`[prod]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      ruleId: 'aws-access-key-pair',
      severity: 'CRITICAL',
      line: 2,
      endLine: 3,
    });
    expect(found[0]?.evidence).toBe('AKIA****T6 + secret_access_key = r8Ez****8Q');
  });

  it('keeps far-apart key ids and secret keys separate', () => {
    const filler = '#\n'.repeat(30);
    const found = scan(`aws_access_key_id = ${KEY_ID}\n${filler}aws_secret_access_key = ${SECRET}\n`);
    expect(found.map((m) => m.ruleId)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
  });

  it('lets the more specific rule win where matches overlap', () => {
    const found = scan(`password = "${TOKEN}"\n`);
    expect(found.map((m) => m.ruleId)).toEqual(['github-pat']);
  });

  it('never puts a secret into a finding', () => {
    const text = `DATABASE_URL=postgres://app:Zq8RvT3mWx6KpL2n@db:5432/app\n${TOKEN}\n`;
    const image = 'registry.local/app:1';
    const findings = scan(text).map((m) => toFinding(m, rules, image));
    const report = JSON.stringify(findings);
    expect(report).not.toContain('Zq8RvT3mWx6KpL2n');
    expect(report).not.toContain(TOKEN);
    expect(findings[0]).toMatchObject({
      kind: 'secret',
      id: 'postgres-url-password',
      severity: 'HIGH',
      location: { image, path: 'app/config.txt', line: 1, column: 29 },
      evidence: 'postgres://app:****@db',
    });
  });

  it('says in the finding that a later layer deleted the file', () => {
    const [match] = scanner.scanFile({
      path: 'a',
      content: Buffer.from(TOKEN),
      layer: 'sha256:2',
      deletedLater: true,
    });
    if (match === undefined) throw new Error('no match');
    expect(toFinding(match, rules).evidence).toMatch(/deleted in a later layer/);
    expect(toFinding(match, rules).location.layer).toBe('sha256:2');
  });

  it('bounds the number of findings per file', () => {
    const many = Array.from(
      { length: 2000 },
      (_, i) => `ghp_${String(i).padStart(4, '0')}aZ3kQ9wLm2Xv7Rt5Yp8Nc4Hs6Jd1Fb0G`,
    ).join('\n');
    const found = scan(many);
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThanOrEqual(64);
  });
});

describe('SecretScanner.scanConfig', () => {
  it('scans Env, labels and history, once per secret, first location wins', () => {
    const found = scanner.scanConfig(
      config({
        env: [
          'PATH=/usr/local/bin:/usr/bin',
          'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
          'DB_PASSWORD=Zq8RvT3mWx6KpL2n',
        ],
        labels: { 'org.opencontainers.image.source': 'https://github.com/acme/app', 'ci.token': TOKEN },
        history: [
          { createdBy: '/bin/sh -c #(nop)  ENV DB_PASSWORD=Zq8RvT3mWx6KpL2n', emptyLayer: true },
          {
            createdBy: 'RUN |1 NPM_TOKEN=npm_Qx7Lm2Rv9Kp4Wt6Zc8Nb1Hs3Jd5Fg0Ya2Ue4 /bin/sh -c npm ci',
            emptyLayer: false,
          },
        ],
      }),
    );
    expect(found.map((m) => [m.ruleId, m.path])).toEqual([
      ['env-secret-assignment', 'config:Env[2]'],
      ['github-pat', 'config:Labels[ci.token]'],
      ['npm-access-token', 'history[1]'],
    ]);
    expect(found.every((m) => m.inConfig && m.line === undefined)).toBe(true);
    const finding = toFinding(found[0] as (typeof found)[number], rules);
    expect(finding.location).toEqual({ object: 'config:Env[2]' });
  });
});

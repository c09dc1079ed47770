import { describe, expect, it } from 'vitest';
import { HygieneChecker, hygieneVisitor, loadHygieneRules } from '../../src/detect/hygiene/index.js';
import type { ImageConfig } from '../../src/image/types.js';
import type { OsInfo } from '../../src/inventory/os/detect.js';
import type { Package } from '../../src/inventory/package.js';
import type { Finding } from '../../src/policy/finding.js';
import { scanLayers } from '../inventory/support/layers.js';

const HEX = 'edb18694326f3c83091e8f308c5a9cc5ef1f74036a66ada3d4b7eb78438e880b';
const DIFF = (n: number) => `sha256:${String(n).repeat(64)}`;

function config(overrides: Partial<ImageConfig> = {}): ImageConfig {
  const platform = { os: 'linux', architecture: 'amd64' };
  return {
    platform,
    user: 'app',
    env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
    entrypoint: [],
    cmd: ['/app'],
    workingDir: '/',
    exposedPorts: ['8080/tcp'],
    volumes: [],
    labels: {},
    healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'] },
    history: [],
    diffIds: [],
    ...overrides,
  };
}

const checker = new HygieneChecker();
const ids = (findings: Finding[]) => findings.map((f) => f.id);
const brief = (findings: Finding[]) =>
  findings.map((f) => [f.id, f.location.path ?? f.location.object, f.evidence]);

describe('hygiene rules as data', () => {
  it('loads every rule with an id, a check and CIS controls where one applies', () => {
    const rules = loadHygieneRules();
    expect(rules.length).toBeGreaterThanOrEqual(18);
    const controls = Object.fromEntries(rules.map((r) => [r.id, r.controls]));
    expect(controls['CER-IMG-001']).toEqual(['CIS Docker 1.6 4.1']);
    expect(controls['CER-IMG-002']).toEqual(['CIS Docker 1.6 4.6']);
    expect(controls['CER-IMG-003']).toEqual(['CIS Docker 1.6 4.8']);
    expect(controls['CER-IMG-014']).toEqual(['CIS Docker 1.6 4.9']);
    expect(controls['CER-IMG-012']).toEqual(['CIS Docker 1.6 4.10']);
  });
});

describe('image config and history checks', () => {
  it('reports nothing on a tidy config', () => {
    expect(checker.check({ config: config() })).toEqual([]);
  });

  it.each([
    ['', 'no USER: processes run as root'],
    ['root', 'USER root'],
    ['0:0', 'USER 0:0: uid 0 is root'],
    ['0', 'USER 0: uid 0 is root'],
  ])('USER %j runs as root', (user, evidence) => {
    const findings = checker.check({ config: config({ user }) });
    expect(brief(findings)).toEqual([['CER-IMG-001', 'config:User', evidence]]);
    expect(findings[0]?.controls).toEqual(['CIS Docker 1.6 4.1']);
  });

  it('follows a named USER through /etc/passwd', async () => {
    const files = await scanLayers(
      [
        {
          'etc/passwd':
            'root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
        },
      ],
      [hygieneVisitor],
    );
    expect(ids(checker.check({ config: config({ user: 'toor' }), files }))).toEqual(['CER-IMG-001']);
    expect(ids(checker.check({ config: config({ user: 'app:app' }), files }))).toEqual([]);
  });

  it('flags a missing or disabled HEALTHCHECK, EXPOSE 22 and an end-of-life release', () => {
    const { healthcheck: _none, ...withoutHealthcheck } = config();
    const eol: OsInfo = {
      family: 'debian',
      version: '9',
      prettyName: 'Debian GNU/Linux 9 (stretch)',
      source: 'etc/os-release',
      eol: true,
      eolDate: '2022-06-30',
    };
    expect(
      brief(
        checker.check({ config: { ...withoutHealthcheck, exposedPorts: ['22/tcp', '80/tcp'] }, os: eol }),
      ),
    ).toEqual([
      ['CER-IMG-002', 'config:Healthcheck', 'no HEALTHCHECK in the image config'],
      ['CER-IMG-017', 'config:ExposedPorts', 'EXPOSE 22/tcp'],
      ['CER-IMG-018', 'etc/os-release', 'Debian GNU/Linux 9 (stretch): security support ended on 2022-06-30'],
    ]);
    expect(ids(checker.check({ config: config({ healthcheck: { test: ['NONE'] } }) }))).toEqual([
      'CER-IMG-002',
    ]);
    expect(ids(checker.check({ config: config(), os: { ...eol, eol: false } }))).toEqual([]);
  });

  it('flags credential-named ENV and build args with their values redacted, unless the secrets detector already did', () => {
    const history = [
      { createdBy: `/bin/sh -c #(nop) ADD file:${HEX} in / `, emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2-but-longer-than-20', emptyLayer: true },
      {
        createdBy: '|1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c npm ci',
        emptyLayer: false,
      },
      {
        createdBy: '|1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c npm test',
        emptyLayer: false,
      },
      { createdBy: 'ARG GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz # buildkit', emptyLayer: true },
      { createdBy: '/bin/sh -c #(nop)  ARG API_KEY', emptyLayer: true },
    ];
    const cfg = config({
      env: [
        'PATH=/usr/bin',
        'DB_PASSWORD=hunter2-but-longer-than-20',
        'REDIS_PASSWORD=short',
        'DB_PASSWORD_FILE=/run/secrets/db',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a variable reference as the image stores it
        'ADMIN_TOKEN=${TOKEN_FROM_RUNTIME}',
        'PWD=/srv',
        'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
        'SECRET_KEY=',
      ],
      history,
      diffIds: [DIFF(1), DIFF(2), DIFF(3)],
    });
    expect(brief(checker.check({ config: cfg }))).toEqual([
      ['CER-IMG-012', 'config:Env[1]', 'ENV DB_PASSWORD=hunt****20'],
      ['CER-IMG-012', 'config:Env[2]', 'ENV REDIS_PASSWORD=****'],
      ['CER-IMG-013', 'history[2]', 'build arg NPM_TOKEN=npm_****89'],
      ['CER-IMG-013', 'history[4]', 'build arg GITHUB_TOKEN=ghp_****yz'],
    ]);
    const arg = checker.check({ config: cfg }).find((f) => f.location.object === 'history[2]');
    expect(arg?.location.layer).toBe(DIFF(2));
    // The secrets detector reported the values at these locations: hygiene does not repeat them.
    expect(
      brief(
        checker.check({
          config: cfg,
          reportedSecrets: [
            { path: 'config:Env[1]', redacted: 'hunt****20' },
            { path: 'history[2]', redacted: 'npm_****89' },
            // A different value at a location does not silence hygiene there.
            { path: 'history[4]', redacted: 'ghp_****zz' },
          ],
        }),
      ),
    ).toEqual([
      ['CER-IMG-012', 'config:Env[2]', 'ENV REDIS_PASSWORD=****'],
      ['CER-IMG-013', 'history[4]', 'build arg GITHUB_TOKEN=ghp_****yz'],
    ]);
  });

  it('flags ADD from URLs, ADD of local files, and downloads piped into a shell', () => {
    const cfg = config({
      history: [
        { createdBy: `/bin/sh -c #(nop) ADD file:${HEX} in / `, emptyLayer: false },
        { createdBy: `/bin/sh -c #(nop) ADD ${HEX} in /opt/payload.txt `, emptyLayer: false },
        { createdBy: 'ADD https://user:pw@example.com/tool.tgz?sig=1 /opt/ # buildkit', emptyLayer: false },
        { createdBy: `/bin/sh -c #(nop) ADD dir:${HEX} in /srv `, emptyLayer: false },
        { createdBy: '/bin/sh -c curl -fsSL https://get.example.sh | sudo -E bash -', emptyLayer: false },
        {
          createdBy: 'RUN /bin/sh -c wget -qO- https://example.com/i.py | python3 - # buildkit',
          emptyLayer: false,
        },
        { createdBy: '/bin/sh -c sh -c "$(curl -fsSL https://example.com/install.sh)"', emptyLayer: false },
        {
          createdBy:
            '/bin/sh -c curl -fsSLo /tmp/i.sh https://example.com/i.sh && sha256sum -c sums && sh /tmp/i.sh',
          emptyLayer: false,
        },
        { createdBy: '/bin/sh -c apt-get install -y curl | tee log', emptyLayer: false },
      ],
    });
    expect(brief(checker.check({ config: cfg }))).toEqual([
      [
        'CER-IMG-014',
        'history[1]',
        'ADD a URL (the legacy builder records only the downloaded content hash) to /opt/payload.txt',
      ],
      ['CER-IMG-014', 'history[2]', 'ADD https://example.com/tool.tgz to /opt/'],
      ['CER-IMG-015', 'history[3]', 'ADD of local content to /srv'],
      ['CER-IMG-016', 'history[4]', 'curl -fsSL https://get.example.sh | sudo -E bash'],
      ['CER-IMG-016', 'history[5]', 'wget -qO- https://example.com/i.py | python3'],
      ['CER-IMG-016', 'history[6]', 'sh -c "$(curl'],
    ]);
  });

  it('keeps hostile history lines bounded', () => {
    const long = `/bin/sh -c curl ${'a'.repeat(2_000_000)} ${'| '.repeat(100_000)}`;
    const started = performance.now();
    checker.check({ config: config({ history: [{ createdBy: long, emptyLayer: false }] }) });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('file system checks over a real layer scan', () => {
  it('lists setuid/setgid files, open directories, daemons, sudo and package caches', async () => {
    const files = await scanLayers(
      [
        {
          'usr/bin/passwd': { body: 'elf', mode: 0o4755 },
          'usr/bin/chage': { body: 'elf', mode: 0o2755, gid: 42 },
          'usr/bin/both': { body: 'elf', mode: 0o6755 },
          'usr/bin/ls': { body: 'elf', mode: 0o755 },
          'tmp/': { type: '5', mode: 0o1777 },
          'srv/drop/': { type: '5', mode: 0o777 },
          'usr/sbin/sshd': { body: 'elf', mode: 0o755 },
          'usr/sbin/in.telnetd': { body: 'elf', mode: 0o755 },
          'usr/bin/sudo': { body: 'elf', mode: 0o4755 },
          'var/cache/apt/archives/curl_8.0_amd64.deb': Buffer.alloc(2048),
          'var/cache/apt/archives/lock': '',
          'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease': Buffer.alloc(1000),
          'var/lib/apt/lists/lock': '',
          'root/.cache/pip/http/a/b/c': Buffer.alloc(10),
          'home/dev/.npm/_cacache/index-v5/x': Buffer.alloc(10),
        },
        { 'var/lib/apt/lists/.wh.deb.debian.org_debian_dists_bookworm_InRelease': '' },
      ],
      [hygieneVisitor],
    );
    const ftp: Package = {
      type: 'deb',
      name: 'vsftpd',
      version: '3.0.3-13+b2',
      purl: 'pkg:deb/debian/vsftpd@3.0.3-13%2Bb2?arch=amd64',
      licenses: [],
      locations: [{ path: 'var/lib/dpkg/status', layer: DIFF(1) }],
      osOwned: false,
    };
    const findings = checker.check({ config: config(), files, packages: [ftp] });
    expect(brief(findings)).toEqual([
      ['CER-IMG-011', 'home/dev/.npm/_cacache', 'npm cache: 1 file(s), 10 B'],
      ['CER-IMG-011', 'root/.cache/pip', 'pip cache: 1 file(s), 10 B'],
      ['CER-IMG-005', 'srv/drop', 'mode 0777: writable by all, no sticky bit'],
      ['CER-IMG-003', 'usr/bin/both', 'mode 6755, owner 0:0'],
      ['CER-IMG-004', 'usr/bin/chage', 'mode 2755, owner 0:42'],
      ['CER-IMG-003', 'usr/bin/passwd', 'mode 4755, owner 0:0'],
      ['CER-IMG-003', 'usr/bin/sudo', 'mode 4755, owner 0:0'],
      ['CER-IMG-010', 'usr/bin/sudo', '/usr/bin/sudo'],
      ['CER-IMG-007', 'usr/sbin/in.telnetd', '/usr/sbin/in.telnetd'],
      ['CER-IMG-006', 'usr/sbin/sshd', '/usr/sbin/sshd'],
      ['CER-IMG-011', 'var/cache/apt/archives', 'apt package archives: 1 file(s), 2.0 KiB'],
      ['CER-IMG-008', 'var/lib/dpkg/status', 'package vsftpd 3.0.3-13+b2'],
    ]);
    expect(findings.find((f) => f.id === 'CER-IMG-008')?.location.layer).toBe(DIFF(1));
  });

  it('is quiet on a tidy file system', async () => {
    const files = await scanLayers(
      [
        {
          'usr/bin/ls': { body: 'elf', mode: 0o755 },
          'tmp/': { type: '5', mode: 0o1777 },
          'var/lib/apt/lists/lock': '',
        },
      ],
      [hygieneVisitor],
    );
    expect(checker.check({ config: config(), files, packages: [] })).toEqual([]);
  });

  it('skips disabled rules', () => {
    const quiet = new HygieneChecker(loadHygieneRules(), { disable: ['CER-IMG-001'] });
    expect(quiet.check({ config: config({ user: '' }) })).toEqual([]);
    expect(quiet.rules.map((r) => r.id)).not.toContain('CER-IMG-001');
  });
});

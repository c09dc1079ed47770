import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  buildPortrait,
  FileHashVisitor,
  type Portrait,
  packageOwners,
} from '../../src/detect/binaries/index.js';
import { checkHygiene, hygieneVisitor } from '../../src/detect/hygiene/index.js';
import { MalwareDetector, type MalwareResult } from '../../src/detect/malware/index.js';
import { SecretScanner } from '../../src/detect/secrets/scanner.js';
import { scanImage } from '../../src/image/scan/index.js';
import { openImage } from '../../src/image/source/index.js';
import type { Image } from '../../src/image/types.js';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import { defaultCatalogers } from '../../src/inventory/catalogers.js';
import { detectOs } from '../../src/inventory/os/detect.js';
import { osReleaseVisitor } from '../../src/inventory/os/visitor.js';
import type { Finding } from '../../src/policy/finding.js';
import { buildTestImage } from '../support/images.js';
import { BASE_IMAGE, commandWorks, dockerAvailable, requireIntegration } from '../support/integration.js';

const execFileAsync = promisify(execFile);
const itDocker = requireIntegration('Docker', dockerAvailable);
const itDockerYara = requireIntegration(
  'Docker and yara',
  dockerAvailable && commandWorks('yara', ['--version']),
);
const work = mkdtempSync(join(tmpdir(), 'cerana-test-detect-images-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Detected {
  image: Image;
  malware: MalwareResult;
  hygiene: Finding[];
  portrait: Portrait;
}

/** One layer pass with every visitor the detectors need, then each detector, as `cerana image` runs them. */
async function detect(tag: string): Promise<Detected> {
  const cacheDir = mkdtempSync(join(work, 'cache-'));
  const image = await openImage(`docker:${tag}`, { cacheDir });
  try {
    const catalogers = defaultCatalogers();
    const malware = new MalwareDetector();
    const visitors = [
      osReleaseVisitor,
      ...catalogers,
      new FileHashVisitor(),
      ...malware.visitors(),
      hygieneVisitor,
    ];
    const files = await scanImage(image, visitors, { cacheDir });
    const os = detectOs(
      (path) => files.read(path),
      (path) => files.stat(path) !== undefined,
      new Date(),
    );
    const { packages } = catalogImage(files, os, catalogers);
    return {
      image,
      malware: await malware.scan(files, { workDir: join(cacheDir, 'tmp'), image: image.ref }),
      hygiene: checkHygiene({
        config: image.config,
        files,
        packages,
        image: image.ref,
        ...(os ? { os } : {}),
      }),
      portrait: buildPortrait(files, {
        owners: packageOwners(files, packages),
        image: { ref: image.ref, digest: image.digest },
      }),
    };
  } finally {
    await image.close();
  }
}

/**
 * Files Docker puts into every container over whatever the image has: bind mounts of its own
 * copies, and `/.dockerenv` (empty, mode 755). The debootstrapped base image ships its own
 * `/etc/resolv.conf` and `/etc/hostname` with mode 755: they are in the portrait, but the
 * container shows Docker's files instead.
 */
const DOCKER_MANAGED = new Set(['/.dockerenv', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts']);

/**
 * The oracle: inside a container of the image (no network), every regular file of the root file
 * system with an execute bit (`find -perm /111`) plus every file starting with the ELF magic,
 * hashed by sha256sum; files Docker manages are left out on both sides.
 */
function executablesInContainer(tag: string): Map<string, string> {
  const script = [
    'find / -xdev -type f -print0',
    `| perl -0ne 'BEGIN { $root = (lstat "/")[0] } chomp; next if $_ eq "/.dockerenv"; ` +
      `my @s = lstat($_) or next; next if $s[0] != $root; my $m = ""; ` +
      `if (!($s[2] & 0111)) { open(my $f, "<:raw", $_) or next; read($f, $m, 4); close($f); } ` +
      `print "$_\\0" if ($s[2] & 0111) || $m eq "\\x7fELF";'`,
    '| xargs -0 -r sha256sum',
  ].join(' ');
  const out = execFileSync(
    'docker',
    ['run', '--rm', '--network', 'none', '--user', '0', '--entrypoint', '/bin/sh', tag, '-c', script],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000 },
  );
  const result = new Map<string, string>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    // sha256sum escapes names holding a newline or backslash and marks the line with a leading `\`.
    const escaped = line.startsWith('\\');
    const body = escaped ? line.slice(1) : line;
    const hash = body.slice(0, 64);
    let name = body.slice(66);
    if (escaped) name = name.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
    result.set(name, hash);
  }
  return result;
}

describe('detectors on a real image full of mistakes', () => {
  let tag = '';
  let found: Detected;
  beforeAll(async () => {
    if (!dockerAvailable) return;
    tag = await buildTestImage('detect-bad', { network: 'host' });
    found = await detect(tag);
  }, 900_000);

  itDocker(
    'the portrait is exactly what find -perm /111 (plus ELF magic) and sha256sum see in a container',
    () => {
      const oracle = executablesInContainer(tag);
      const portrait = new Map(
        found.portrait.executables.filter((e) => !DOCKER_MANAGED.has(e.path)).map((e) => [e.path, e.sha256]),
      );
      expect(oracle.size).toBeGreaterThan(300);
      expect([...portrait].sort()).toEqual([...oracle].sort());
      const byPath = new Map(found.portrait.executables.map((e) => [e.path, e]));
      expect(byPath.get('/opt/true.noexec')).toMatchObject({ format: 'elf', mode: '0644' });
      expect(byPath.get('/opt/data.bin')).toMatchObject({ format: 'other', mode: '0755', size: 9 });
      expect(byPath.get('/opt/odd\nname')).toMatchObject({ format: 'script' });
      expect(byPath.get('/usr/local/bin/suid-true')).toMatchObject({ format: 'elf', mode: '4755' });
      expect(byPath.get('/opt/true-hardlink')?.sha256).toBe(byPath.get('/usr/bin/true')?.sha256);
      // Owners come from dpkg's file lists, merged-/usr paths included.
      expect(byPath.get('/usr/sbin/sshd')?.package?.name).toBe('openssh-server');
      expect(byPath.get('/usr/bin/true')?.package?.name).toBe('coreutils');
      expect(byPath.get('/usr/local/bin/suid-true')?.package).toBeUndefined();
      const sshLayer = found.image.config.diffIds[1];
      expect(byPath.get('/usr/sbin/sshd')?.layer).toBe(sshLayer);
      expect(found.portrait.warnings).toEqual([]);
    },
  );

  itDocker('finds EICAR by hash, including the copy a later layer deleted', () => {
    const hashes = found.malware.findings.filter((f) => f.id === 'CER-MAL-001');
    expect(hashes.map((f) => [f.location.path, f.title])).toEqual([
      ['opt/eicar.com', 'Known malicious file: EICAR-Test-File'],
      ['tmp/eicar.com', 'Known malicious file: EICAR-Test-File'],
    ]);
    expect(hashes[1]?.evidence).toContain('deleted by a later layer');
    expect(found.malware.stats.filesChecked).toBeGreaterThan(5000);
  });

  itDockerYara('finds the web shell and the miner with YARA, and nothing in Debian, openssh or sudo', () => {
    const yara = found.malware.findings.filter((f) => f.id.startsWith('yara:'));
    expect(yara.map((f) => [f.location.path, f.id])).toEqual([
      ['opt/miner/start-miner.sh', 'yara:cerana:miner_monero_wallet_with_pool_flags'],
      ['opt/miner/start-miner.sh', 'yara:cerana:miner_stratum_pool'],
      ['opt/miner/start-miner.sh', 'yara:cerana:miner_xmrig'],
      ['var/www/html/uploads/shell.php', 'yara:cerana:webshell_php_exec_of_request'],
    ]);
    expect(found.malware.stats.yaraFiles).toBeGreaterThan(300);
    expect(found.malware.warnings).toEqual([]);
  });

  itDocker('reports the hygiene mistakes with their CIS controls', () => {
    const byId = new Map<string, Finding[]>();
    for (const finding of found.hygiene) byId.set(finding.id, [...(byId.get(finding.id) ?? []), finding]);
    expect([...byId.keys()].sort()).toEqual([
      'CER-IMG-001',
      'CER-IMG-002',
      'CER-IMG-003',
      'CER-IMG-004',
      'CER-IMG-005',
      'CER-IMG-006',
      'CER-IMG-010',
      'CER-IMG-011',
      'CER-IMG-012',
      'CER-IMG-017',
    ]);
    expect(byId.get('CER-IMG-001')?.[0]?.evidence).toBe('no USER: processes run as root');
    expect(byId.get('CER-IMG-003')?.map((f) => f.location.path)).toContain('usr/local/bin/suid-true');
    expect(byId.get('CER-IMG-003')?.map((f) => f.location.path)).toContain('usr/bin/passwd');
    expect(byId.get('CER-IMG-005')?.map((f) => f.location.path)).toEqual(['srv/drop']);
    expect(byId.get('CER-IMG-006')?.[0]?.evidence).toMatch(/^\/usr\/sbin\/sshd; package openssh-server \S+$/);
    expect(byId.get('CER-IMG-006')?.[0]?.controls).toEqual(['CIS Docker 1.6 4.3', 'CIS Docker 1.6 5.7']);
    expect(byId.get('CER-IMG-010')?.[0]?.evidence).toMatch(/\/usr\/bin\/sudo; package sudo /);
    // The base image keeps debootstrap's .debs; apt-get update left its lists and binary caches.
    expect(byId.get('CER-IMG-011')?.map((f) => f.location.path)).toEqual([
      'var/cache/apt',
      'var/cache/apt/archives',
      'var/lib/apt/lists',
    ]);
    expect(byId.get('CER-IMG-012')?.[0]?.evidence).toBe('ENV DB_PASSWORD=corr****42');
    expect(byId.get('CER-IMG-017')?.[0]?.evidence).toBe('EXPOSE 22/tcp');
  });
});

describe('detectors on a tidy image', () => {
  itDocker(
    'report nothing: no hygiene findings, no malware, no YARA false positives on stock Debian',
    async () => {
      const tag = await buildTestImage('detect-clean');
      const found = await detect(tag);
      expect(found.hygiene.map((f) => `${f.id} ${f.location.path ?? f.location.object}`)).toEqual([]);
      expect(found.malware.findings).toEqual([]);
      expect(found.portrait.executables.length).toBeGreaterThan(300);
    },
    900_000,
  );
});

describe('build history of a real image', () => {
  itDocker(
    'ADD from a URL, ADD of local files, curl | sh and credential build args; a value the secrets detector reports is not reported again by hygiene',
    async () => {
      const context = mkdtempSync(join(work, 'history-'));
      writeFileSync(join(context, 'local.txt'), 'local\n');
      const server = createServer((_request, response) => response.end('#!/bin/sh\necho tool\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const npmToken = `npm_${randomBytes(18).toString('hex')}`;
      const tag = `cerana-test/detect-history:${process.pid}`;
      writeFileSync(
        join(context, 'Dockerfile'),
        [
          `FROM ${BASE_IMAGE}`,
          // The daemon downloads ADD URLs itself, from the host: the local server is reachable.
          `ADD http://127.0.0.1:${port}/tool.sh /usr/local/bin/tool.sh`,
          'ADD local.txt /opt/local.txt',
          'ARG NPM_TOKEN',
          'ARG DEPLOY_PASSWORD',
          // Never runs curl (true short-circuits), but the history records the line as written.
          'RUN true || curl -fsSL https://get.example.invalid/install.sh | sh',
          'RUN test -n "$NPM_TOKEN" && test -n "$DEPLOY_PASSWORD"',
          `ENV GITHUB_TOKEN=ghp_${randomBytes(18).toString('hex')} SERVICE_PASSWORD=another-long-password-value`,
          'HEALTHCHECK CMD ["/bin/true"]',
          'USER 1000',
          '',
        ].join('\n'),
      );
      try {
        // Asynchronously: the server in this process must answer the daemon's download.
        await execFileAsync(
          'docker',
          [
            'build',
            '--network',
            'none',
            '--quiet',
            '--build-arg',
            `NPM_TOKEN=${npmToken}`,
            '--build-arg',
            'DEPLOY_PASSWORD=correct-horse-battery-staple',
            '-t',
            tag,
            context,
          ],
          { env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: 600_000 },
        );
      } finally {
        server.close();
      }
      try {
        const image = await openImage(`docker:${tag}`, { cacheDir: join(context, 'cache') });
        await image.close();
        expect(image.config.history.map((h) => h.createdBy).join('\n')).toContain(npmToken);
        const secrets = new SecretScanner().scanConfig(image.config);
        const hygiene = checkHygiene({ config: image.config, reportedSecrets: secrets });
        const at = (finding: Finding) =>
          image.config.history[Number(/\d+/.exec(finding.location.object ?? '')?.[0])];
        expect(hygiene.map((f) => [f.id, f.evidence])).toEqual([
          [
            'CER-IMG-014',
            'ADD a URL (the legacy builder records only the downloaded content hash) to /usr/local/bin/tool.sh',
          ],
          ['CER-IMG-015', 'ADD of local content to /opt/local.txt'],
          ['CER-IMG-016', 'curl -fsSL https://get.example.invalid/install.sh | sh'],
        ]);
        expect(at(hygiene[0] as Finding)?.createdBy).toMatch(/^\/bin\/sh -c #\(nop\) ADD [0-9a-f]{64} in /);
        expect(hygiene[0]?.location.layer).toBe(image.config.diffIds[1]);
        // The build args and ENV values are the secrets detector's: it flagged them where they
        // first appear, and hygiene stays silent about them there and in later steps.
        expect(secrets.map((m) => [m.ruleId, m.path])).toEqual(
          expect.arrayContaining([
            ['npm-access-token', 'history[5]'],
            ['github-pat', 'config:Env[1]'],
          ]),
        );
        const withoutSecrets = checkHygiene({ config: image.config });
        expect(
          withoutSecrets.filter((f) => f.id === 'CER-IMG-013').map((f) => [f.location.object, f.evidence]),
        ).toEqual([
          ['history[5]', 'build arg DEPLOY_PASSWORD=corr****le'],
          ['history[5]', `build arg NPM_TOKEN=${npmToken.slice(0, 4)}****${npmToken.slice(-2)}`],
        ]);
        expect(withoutSecrets.filter((f) => f.id === 'CER-IMG-012').map((f) => f.location.object)).toEqual([
          'config:Env[1]',
          'config:Env[2]',
        ]);
      } finally {
        execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
      }
    },
    600_000,
  );
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { normalizePythonName } from '../../src/inventory/lang/python/metadata.js';
import type { Package } from '../../src/inventory/package.js';
import { parsePurl } from '../../src/inventory/purl.js';
import { scanImageRef } from '../../src/scan/image-scan.js';
import { saveImage } from '../support/images.js';
import { dockerAvailable, requireIntegration } from '../support/integration.js';
import { buildLangImage } from './support/lang-image.js';
import { trivyAvailable, trivyPurls } from './support/trivy.js';

const run = promisify(execFile);
const itDocker = requireIntegration('Docker', dockerAvailable);
const itTrivy = requireIntegration('Docker and Trivy', dockerAvailable && trivyAvailable);

/** Runs a command in a container of the image, without network: the package manager's own answer. */
async function inImage(tag: string, command: string[], env: string[] = []): Promise<string> {
  const flags = env.flatMap((variable) => ['-e', variable]);
  const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', ...flags, tag, ...command], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

const PYTHON_ORACLE = `
import importlib.metadata as m, json, sys
print(json.dumps({"path": sys.path, "dists": [[d.metadata["Name"], d.version, str(d._path)] for d in m.distributions()]}))
`;
const RUBY_ORACLE =
  'Gem::Specification.each { |s| puts [s.name, s.version.to_s, s.loaded_from].join("\\t") }';

describe('Python, Ruby, PHP and .NET catalogers against the package managers', () => {
  let work: string;
  let tag: string;
  let packages: Package[] = [];
  let warnings: string[] = [];
  const ofType = (type: string) => packages.filter((p) => p.type === type);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cerana-test-lang-'));
    if (!dockerAvailable) return;
    tag = await buildLangImage(join(work, 'context'));
    const result = await scanImageRef(`docker:${tag}`, {
      source: { cacheDir: join(work, 'cache') },
      scan: {},
    });
    packages = result.packages;
    warnings = result.warnings;
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  itDocker('reads every file without a warning', () => {
    expect(warnings).toEqual([]);
  });

  itDocker('finds exactly the distributions importlib.metadata finds on sys.path', async () => {
    // Debian's Python does not look in /usr/local/lib/python3.11/site-packages by itself.
    const oracle = JSON.parse(
      await inImage(
        tag,
        ['python3', '-c', PYTHON_ORACLE],
        ['PYTHONPATH=/usr/local/lib/python3.11/site-packages'],
      ),
    ) as {
      path: string[];
      dists: [string, string, string][];
    };
    const expected = new Set(
      oracle.dists.map(([name, version, path]) => `${normalizePythonName(name)}@${version} ${path}`),
    );
    const sysPath = new Set(oracle.path);
    const found = new Set<string>();
    for (const pkg of ofType('pypi')) {
      for (const location of pkg.locations) {
        // The distribution is the .dist-info/.egg-info directory, or the .egg-info file itself.
        const dist = `/${location.path.replace(/\/(?:METADATA|PKG-INFO)$/, '')}`;
        if (sysPath.has(dist.slice(0, dist.lastIndexOf('/')))) {
          found.add(`${normalizePythonName(pkg.name)}@${pkg.version} ${dist}`);
        }
      }
    }
    expect(expected.size).toBe(14);
    expect(found).toEqual(expected);
    expect(ofType('pypi')).toHaveLength(expected.size);
  });

  itDocker('marks apt-installed distributions as OS-owned and the others not', () => {
    const owned = (name: string) => ofType('pypi').find((p) => p.name === name)?.osOwned;
    expect(['requests', 'urllib3', 'certifi', 'idna', 'charset-normalizer', 'pip'].map(owned)).toEqual(
      Array(6).fill(true),
    );
    expect(['Cerana-Local-Pkg', 'legacy_tool', 'Old.Dist', 'Site_Only'].map(owned)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(ofType('pypi').find((p) => p.name === 'Cerana-Local-Pkg')?.purl).toBe(
      'pkg:pypi/cerana-local-pkg@1.2.3',
    );
  });

  itDocker('finds exactly the gems RubyGems knows, default gems included', async () => {
    const expected = new Set(
      (await inImage(tag, ['ruby', '-e', RUBY_ORACLE]))
        .trim()
        .split('\n')
        .map((line) => {
          const [name, version, path] = line.split('\t');
          return `${name}@${version} ${path}`;
        }),
    );
    const found = new Set(
      ofType('gem').flatMap((p) => p.locations.map((l) => `${p.name}@${p.version} /${l.path}`)),
    );
    expect(expected.size).toBeGreaterThan(80);
    // RubyGems loads one specification per name and version, the first on its path; a second
    // copy of the same gem (Debian's rake package beside Ruby's bundled rake) is still on disk,
    // so Cerana lists it as another location of the same package, never as another package.
    const gems = (entries: Iterable<string>) => new Set([...entries].map((entry) => entry.split(' ')[0]));
    expect(gems(found)).toEqual(gems(expected));
    for (const entry of expected) expect(found).toContain(entry);
    const shadowed = [...found].filter((entry) => !expected.has(entry));
    expect(shadowed).toEqual([
      'rake@13.0.6 /usr/share/rubygems-integration/all/specifications/rake-13.0.6.gemspec',
    ]);
    const owned = (name: string) => ofType('gem').find((p) => p.name === name)?.osOwned;
    expect([owned('rack'), owned('json'), owned('cerana-hello')]).toEqual([true, true, false]);
  });

  itDocker('finds exactly the packages Composer installed, and Composer 1 installed.json', async () => {
    const shown = JSON.parse(await inImage(tag, ['composer', 'show', '--format=json', '-d', '/srv/php'])) as {
      installed: { name: string; version: string }[];
    };
    const fromComposer = (path: string) =>
      ofType('composer')
        .filter((p) => p.locations.some((l) => l.path === path))
        .map((p) => `${p.name}@${p.version}`)
        .sort();
    expect(fromComposer('srv/php/vendor/composer/installed.json')).toEqual(
      shown.installed.map((p) => `${p.name}@${p.version}`).sort(),
    );
    expect(fromComposer('srv/legacy/vendor/composer/installed.json')).toEqual([
      'monolog/monolog@1.25.1',
      'psr/log@1.1.0',
    ]);
    expect(ofType('composer').find((p) => p.name === 'cerana/logger')?.licenses).toEqual([
      'Apache-2.0',
      'MIT',
    ]);
  });

  itDocker('reads NuGet packages from deps.json', () => {
    expect(ofType('nuget').map((p) => p.purl)).toEqual([
      'pkg:nuget/Newtonsoft.Json@13.0.1',
      'pkg:nuget/System.Text.Json@4.7.2',
    ]);
  });

  itTrivy(
    'finds every Python, Ruby, PHP, .NET and npm package Trivy finds',
    async () => {
      const archive = join(work, 'image.tar');
      await saveImage(tag, archive);
      const identity = (purl: string) => {
        const parts = parsePurl(purl);
        const name = parts.namespace ? `${parts.namespace}/${parts.name}` : parts.name;
        return `${parts.type}:${parts.type === 'pypi' ? normalizePythonName(name) : name}@${parts.version}`;
      };
      const languages = new Set(['pypi', 'gem', 'composer', 'nuget', 'npm']);
      const trivy = (await trivyPurls(archive, work))
        .filter((purl) => languages.has(parsePurl(purl).type))
        .map(identity);
      await rm(archive);
      const cerana = new Set(packages.map((p) => identity(p.purl)));
      // Trivy leaves out language packages whose files an OS package installed (python3-requests,
      // ruby-rack, Ruby's default gems); Cerana lists them, marked osOwned. So Trivy's list is
      // the packages installed by pip, gem, Composer and the hand-written metadata.
      for (const type of ['pypi', 'gem', 'composer', 'nuget']) {
        expect(trivy.some((id) => id.startsWith(`${type}:`))).toBe(true);
      }
      expect(trivy.filter((id) => !cerana.has(id))).toEqual([]);
    },
    300_000,
  );
});

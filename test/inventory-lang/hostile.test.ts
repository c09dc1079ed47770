import { describe, expect, it } from 'vitest';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import type { Cataloger } from '../../src/inventory/cataloger.js';
import { dotnetCataloger } from '../../src/inventory/lang/dotnet/cataloger.js';
import { MAX_PACKAGE_JSON_BYTES, npmCataloger } from '../../src/inventory/lang/npm/cataloger.js';
import { phpCataloger } from '../../src/inventory/lang/php/cataloger.js';
import { MAX_METADATA_BYTES, pythonCataloger } from '../../src/inventory/lang/python/cataloger.js';
import { MAX_GEMSPEC_BYTES, rubyCataloger } from '../../src/inventory/lang/ruby/cataloger.js';
import { scanLayers } from '../inventory/support/layers.js';

const ALL: Cataloger[] = [npmCataloger, pythonCataloger, rubyCataloger, phpCataloger, dotnetCataloger];
const OK = { 'app/node_modules/ok/package.json': JSON.stringify({ name: 'ok', version: '1.0.0' }) };

/** Catalogs one layer with every language cataloger; returns what survived, the warnings and the time. */
async function catalogHostile(layer: Record<string, string | Buffer>) {
  const files = await scanLayers([{ ...layer, ...OK }], ALL);
  const started = performance.now();
  const result = catalogImage(files, undefined, ALL);
  return { ...result, ms: performance.now() - started };
}

function yamlBomb(levels: number): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) {
    const previous = i === 1 ? 'a' : `l${i - 1}`;
    lines.push(`l${i}: &l${i} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  return lines.join('\n');
}

describe('hostile package-manager files', () => {
  it('skips manifests over their size limit with a warning naming the file and the limit', async () => {
    const { packages, warnings } = await catalogHostile({
      'app/node_modules/big/package.json': `{"name":"big","version":"1.0.0","x":"${'a'.repeat(MAX_PACKAGE_JSON_BYTES)}"}`,
      'usr/lib/python3/dist-packages/big-1.0.dist-info/METADATA': `Name: big\nVersion: 1.0\n\n${'b'.repeat(MAX_METADATA_BYTES)}`,
      'var/lib/gems/3.1.0/specifications/big-1.0.gemspec': `# stub: big 1.0\n#${'c'.repeat(MAX_GEMSPEC_BYTES)}`,
    });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
    expect(warnings).toHaveLength(3);
    for (const warning of warnings)
      expect(warning).toMatch(/: not cataloged: \d+ bytes is over the \d+-byte limit/);
  });

  it('turns YAML alias bombs in pnpm and yarn berry lockfiles into warnings, quickly', async () => {
    const { packages, warnings, ms } = await catalogHostile({
      'p/pnpm-lock.yaml': `lockfileVersion: '9.0'\n${yamlBomb(9)}\n`,
      'y/yarn.lock': `__metadata:\n  version: 8\n${yamlBomb(9)}\n`,
    });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
    expect(warnings).toHaveLength(2);
    expect(warnings.every((w) => /not valid YAML: .*alias/i.test(w))).toBe(true);
    expect(ms).toBeLessThan(5000);
  });

  it('survives malformed lockfiles: truncated, wrong shapes, deep nesting, binary junk', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const junk = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256));
    const { packages, warnings } = await catalogHostile({
      'a/package-lock.json': '{"lockfileVersion": 3, "packages": {"node_modules/x": {"version": "1.0.0"',
      'b/package-lock.json': JSON.stringify({ lockfileVersion: 2, packages: ['not', 'a', 'map'] }),
      'c/package-lock.json': deep,
      'd/yarn.lock': junk,
      'e/pnpm-lock.yaml': 'lockfileVersion: [\n  - {\n',
      'f/pnpm-lock.yaml': junk,
      'g/App.deps.json': JSON.stringify({
        libraries: { 'A/1.0': 'not an object', [`${'x'.repeat(300)}/1.0`]: { type: 'package' } },
      }),
      'vendor/composer/installed.json': JSON.stringify({
        packages: [null, 1, 'x', { name: {}, version: [] }],
      }),
    });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
    expect(warnings.some((w) => w.startsWith('a/package-lock.json: not valid JSON'))).toBe(true);
    expect(warnings).toContain('b/package-lock.json: "packages" / "dependencies" is not an object');
    expect(warnings).toContain('c/package-lock.json: not a package-lock document (expected a JSON object)');
    expect(warnings).toContain('d/yarn.lock: not valid UTF-8; read with replacement characters');
    expect(warnings.some((w) => w.startsWith('e/pnpm-lock.yaml: not valid YAML'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('f/pnpm-lock.yaml:'))).toBe(true);
    expect(warnings).toContain('g/App.deps.json: skipped 1 libraries without a usable <id>/<version> key');
    expect(warnings).toContain(
      'vendor/composer/installed.json: skipped 4 entries without a usable name and version',
    );
  });

  it('stays linear on pathological gemspecs and yarn.lock lines', async () => {
    const { packages, ms } = await catalogHostile({
      'var/lib/gems/3.1.0/specifications/slow-1.0.gemspec': `Gem::Specification.new do |s|\n  s.name = ${'"'.repeat(1)}${' \\"'.repeat(150_000)}\n${'  s.version = %q'.repeat(20_000)}\nend\n`,
      'y/yarn.lock': `${'a@^1, '.repeat(200_000)}:\n  version ${'"'.repeat(100_000)}\n`,
    });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
    expect(ms).toBeLessThan(5000);
  });

  it('reads names and versions as data: no path tricks, no control characters', async () => {
    const { packages } = await catalogHostile({
      'app/node_modules/evil/package.json': JSON.stringify({ name: '../../etc/passwd\n', version: '1.0.0' }),
      'app/node_modules/evil2/package.json': JSON.stringify({ name: 'evil2', version: '1.0.0\u0000' }),
      'usr/lib/python3/dist-packages/x-1.dist-info/METADATA': 'Name: x\u001b[31m\nVersion: 1\n',
    });
    expect(packages.map((p) => p.name)).toEqual(['ok']);
  });
});

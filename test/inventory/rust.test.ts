import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { binaryCataloger } from '../../src/inventory/binary/cataloger.js';
import { catalogImage } from '../../src/inventory/catalog-image.js';
import { readAuditable } from '../../src/inventory/lang/rust/auditable.js';
import { commandWorks, requireIntegration } from '../support/integration.js';
import { buildGoFixtures, goAvailable } from './support/go-fixtures.js';
import { scanLayers } from './support/layers.js';

const run = promisify(execFile);

/**
 * `cargo auditable` needs crates.io, which is out of reach here; so real binaries (a rustc-built
 * Rust program, Go programs cross-built for big-endian and 32-bit targets) get the section the
 * way cargo-auditable's linker step leaves it: a non-allocated `.dep-v0` of zlib-compressed JSON,
 * added with binutils' objcopy (its generic elf32/64-big targets for the big-endian ones).
 */
const toolsAvailable = commandWorks('objcopy', ['--version']) && commandWorks('rustc', ['--version']);
const itTools = requireIntegration('objcopy (binutils) and rustc', toolsAvailable);
const itCross = requireIntegration('objcopy and go (cross-built targets)', toolsAvailable && goAvailable);

const DEPENDENCIES = {
  format: 1,
  packages: [
    {
      name: 'hello',
      version: '0.1.0',
      source: 'local',
      kind: 'runtime',
      dependencies: [1, 2, 3],
      root: true,
    },
    { name: 'serde', version: '1.0.193', source: 'crates.io', dependencies: [2] },
    { name: 'serde_derive', version: '1.0.193', source: 'crates.io', kind: 'build' },
    { name: 'gix-hash', version: '0.13.1', source: 'git' },
  ],
};
const EXPECTED = [
  ['gix-hash', '0.13.1', 'pkg:cargo/gix-hash@0.13.1'],
  ['hello', '0.1.0', 'pkg:cargo/hello@0.1.0'],
  ['serde', '1.0.193', 'pkg:cargo/serde@1.0.193'],
];

function chunked(data: Buffer, size = 8191): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

const read = async (path: string) => {
  const data = readFileSync(path);
  return readAuditable(chunked(data), data.length);
};

describe('cargo-auditable dependency lists in ELF binaries', () => {
  let dir: string;
  let rust: string;
  const section = () => join(dir, 'dep-v0.z');
  const addSection = async (input: string, output: string, extra: string[] = []) => {
    await run('objcopy', [...extra, '--add-section', `.dep-v0=${section()}`, input, output]);
    return output;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cerana-rust-'));
    writeFileSync(section(), deflateSync(JSON.stringify(DEPENDENCIES), { level: 9 }));
    if (!toolsAvailable) return;
    writeFileSync(join(dir, 'main.rs'), 'fn main() { println!("hello"); }\n');
    await run('rustc', ['-O', '-o', join(dir, 'hello'), join(dir, 'main.rs')]);
    rust = await addSection(join(dir, 'hello'), join(dir, 'hello-auditable'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  itTools('a Rust binary: the list as written, plain binaries give nothing', async () => {
    const packages = await read(rust);
    expect(packages?.map((p) => [p.name, p.version, p.source, p.kind, p.root])).toEqual([
      ['hello', '0.1.0', 'local', 'runtime', true],
      ['serde', '1.0.193', 'crates.io', 'runtime', false],
      ['serde_derive', '1.0.193', 'crates.io', 'build', false],
      ['gix-hash', '0.13.1', 'git', 'runtime', false],
    ]);
    expect(await read(join(dir, 'hello'))).toBeUndefined();
  });

  itCross(
    'big-endian and 32-bit binaries',
    async () => {
      const go = await buildGoFixtures(join(dir, 'go'));
      const targets: [string, string[]][] = [
        ['hello-s390x', ['-I', 'elf64-big', '-O', 'elf64-big']],
        ['hello-mips', ['-I', 'elf32-big', '-O', 'elf32-big']],
        ['hello-386', []],
      ];
      for (const [name, flags] of targets) {
        const binary = await addSection(go[name] as string, join(dir, `${name}-auditable`), flags);
        const packages = await read(binary);
        expect({ name, packages: packages?.map((p) => p.name) }).toEqual({
          name,
          packages: ['hello', 'serde', 'serde_derive', 'gix-hash'],
        });
      }
    },
    600_000,
  ); // cross-compiling Go for three targets from a cold build cache takes minutes

  itTools('cataloged from an image layer: crates compiled in, build-only ones left out', async () => {
    const files = await scanLayers(
      [{ 'usr/local/bin/hello': { body: readFileSync(rust), mode: 0o755 } }],
      [binaryCataloger],
    );
    const { packages, warnings } = catalogImage(files, undefined, [binaryCataloger]);
    expect(warnings).toEqual([]);
    const layer = files.layers[0]?.diffId;
    expect(packages.map((p) => [p.name, p.version, p.purl, p.locations])).toEqual(
      EXPECTED.map((row) => [...row, [{ path: 'usr/local/bin/hello', layer }]]),
    );
  });

  itTools('damaged sections and sections beyond the streaming window are warnings', async () => {
    const variants: Record<string, Buffer | 'far'> = {
      'not-zlib': Buffer.from('this is not zlib data'),
      'not-json': deflateSync('{"packages": [ nope'),
      'no-packages': deflateSync('{"format": 1}'),
      bomb: deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20)),
      far: 'far',
    };
    const layer: Record<string, { body: Buffer; mode: number }> = {};
    for (const [name, content] of Object.entries(variants)) {
      const out = join(dir, `hello-${name}`);
      if (content === 'far') {
        // 17 MiB of other data between the section and the section table.
        writeFileSync(join(dir, 'big.bin'), Buffer.alloc(17 * 1024 * 1024, 1));
        await run('objcopy', [
          '--add-section',
          `.zzbig=${join(dir, 'big.bin')}`,
          '--add-section',
          `.dep-v0=${section()}`,
          join(dir, 'hello'),
          out,
        ]);
      } else {
        writeFileSync(join(dir, `${name}.z`), content);
        await run('objcopy', ['--add-section', `.dep-v0=${join(dir, `${name}.z`)}`, join(dir, 'hello'), out]);
      }
      layer[`bin/${name}`] = { body: readFileSync(out), mode: 0o755 };
    }
    const files = await scanLayers([layer], [binaryCataloger]);
    const { packages, warnings } = catalogImage(files, undefined, [binaryCataloger]);
    expect(packages).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^bin\/bomb: cargo-auditable data is damaged: \.dep-v0 does not inflate: .*buffer/i,
      ),
      'bin/far: cargo-auditable data is damaged: .dep-v0 lies more than 16777216 bytes before the section table (not kept while streaming)',
      'bin/no-packages: cargo-auditable data is damaged: .dep-v0 has no packages list',
      expect.stringMatching(/^bin\/not-json: cargo-auditable data is damaged: \.dep-v0 is not JSON/),
      expect.stringMatching(/^bin\/not-zlib: cargo-auditable data is damaged: \.dep-v0 does not inflate/),
    ]);
  });
});

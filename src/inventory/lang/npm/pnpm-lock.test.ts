import { describe, expect, it } from 'vitest';
import { parsePnpmLock } from './pnpm-lock.js';

const parse = (text: string, warnings: string[] = []) =>
  parsePnpmLock(Buffer.from(text), 'pnpm-lock.yaml', warnings)
    .map((p) => `${p.name}@${p.version}`)
    .sort();

describe('pnpm-lock.yaml', () => {
  it('5.x: /name/version keys with peer suffixes; dev packages left out', () => {
    const text = `lockfileVersion: 5.4

specifiers:
  lodash: 4.17.11
  react-dom: ^17.0.0

dependencies:
  lodash: 4.17.11
  react-dom: 17.0.2_react@17.0.2

devDependencies:
  typescript: 4.9.5

packages:

  /lodash/4.17.11:
    resolution: {integrity: sha512-cQKh8igo5QUhZ7lg38DYWAxMvjSAKG0A8wGSVimP07SIUEK2UO+arSRKbRZWtelMtN5V0Hkwh5ryOto/SshYIg==}
    dev: false

  /react-dom/17.0.2_react@17.0.2:
    resolution: {integrity: sha512-x}
    peerDependencies:
      react: 17.0.2
    dev: false

  /@babel/runtime/7.20.0:
    resolution: {integrity: sha512-y}
    dev: false

  /typescript/4.9.5:
    resolution: {integrity: sha512-z}
    engines: {node: '>=4.2.0'}
    hasBin: true
    dev: true

  github.com/user/tool/0123456789abcdef:
    resolution: {tarball: https://codeload.github.com/user/tool/tar.gz/0123456789abcdef}
    name: tool
    version: 1.0.1
    dev: false
`;
    expect(parse(text)).toEqual([
      '@babel/runtime@7.20.0',
      'lodash@4.17.11',
      'react-dom@17.0.2',
      'tool@1.0.1',
    ]);
  });

  it('6.x: /name@version(peer) keys', () => {
    const text = `lockfileVersion: '6.0'

dependencies:
  '@s/a':
    specifier: ^1.0.0
    version: 1.0.0(react@18.2.0)

packages:

  /@s/a@1.0.0(react@18.2.0):
    resolution: {integrity: sha512-a}
    dev: false

  /react@18.2.0:
    resolution: {integrity: sha512-b}
    dev: false

  /vitest@1.0.0:
    resolution: {integrity: sha512-c}
    dev: true
`;
    expect(parse(text)).toEqual(['@s/a@1.0.0', 'react@18.2.0']);
  });

  it('9.x: production packages are those reachable from importers through snapshots', () => {
    const text = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true

importers:

  .:
    dependencies:
      express:
        specifier: 4.17.1
        version: 4.17.1
      old:
        specifier: npm:minimist@1.2.0
        version: minimist@1.2.0
      local:
        specifier: link:packages/local
        version: link:packages/local
    devDependencies:
      vitest:
        specifier: ^1.0.0
        version: 1.0.0

  packages/local:
    optionalDependencies:
      '@s/opt':
        specifier: 2.0.0
        version: 2.0.0(react@18.2.0)

packages:

  '@s/opt@2.0.0':
    resolution: {integrity: sha512-a}

  debug@2.6.9:
    resolution: {integrity: sha512-b}

  express@4.17.1:
    resolution: {integrity: sha512-c}

  minimist@1.2.0:
    resolution: {integrity: sha512-d}

  ms@2.0.0:
    resolution: {integrity: sha512-e}

  react@18.2.0:
    resolution: {integrity: sha512-f}

  vitest@1.0.0:
    resolution: {integrity: sha512-g}

  tinyspy@2.0.0:
    resolution: {integrity: sha512-h}

snapshots:

  '@s/opt@2.0.0(react@18.2.0)':
    dependencies:
      react: 18.2.0

  debug@2.6.9:
    dependencies:
      ms: 2.0.0

  express@4.17.1:
    dependencies:
      debug: 2.6.9

  minimist@1.2.0: {}

  ms@2.0.0: {}

  react@18.2.0: {}

  vitest@1.0.0:
    dependencies:
      tinyspy: 2.0.0

  tinyspy@2.0.0: {}
`;
    expect(parse(text)).toEqual([
      '@s/opt@2.0.0',
      'debug@2.6.9',
      'express@4.17.1',
      'minimist@1.2.0',
      'ms@2.0.0',
      'react@18.2.0',
    ]);
  });

  it('keeps YAML strings as written and rejects non-lockfiles, bad YAML and aliases', () => {
    expect(parse("lockfileVersion: '9.0'\npackages:\n  a@1.10:\n    resolution: {integrity: x}\n")).toEqual([
      'a@1.10',
    ]);
    const warnings: string[] = [];
    expect(parse('foo: bar\n', warnings)).toEqual([]);
    expect(parse('lockfileVersion: [\n', warnings)).toEqual([]);
    expect(parse("lockfileVersion: '9.0'\nx: &x [1]\ny: *x\n", warnings)).toEqual([]);
    expect(warnings[0]).toBe('pnpm-lock.yaml: not a pnpm lockfile (no lockfileVersion)');
    expect(warnings[1]).toMatch(/^pnpm-lock\.yaml: not valid YAML: /);
    expect(warnings[2]).toMatch(/^pnpm-lock\.yaml: not valid YAML: .*alias/i);
  });
});

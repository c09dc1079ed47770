/**
 * Go binaries built for tests from a local module, offline: its dependencies come from a
 * GOPROXY directory written here (module zips made with `zip`), one of them replaced by
 * another module and one by a local directory, so `dep`, `=>` and `(devel)` lines all occur.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commandWorks } from '../../support/integration.js';

const run = promisify(execFile);

export const goAvailable = commandWorks('go', ['version']) && commandWorks('zip', ['-v']);

/** GOARCH values built, with what each exercises. */
export const GO_TARGETS = {
  amd64: 'little-endian, 64-bit',
  s390x: 'big-endian, 64-bit',
  mips: 'big-endian, 32-bit',
  '386': 'little-endian, 32-bit',
} as const;

const MODULES: [string, string][] = [
  ['example.com/lib', 'v1.2.0'],
  ['example.com/libfork', 'v1.3.0'],
  ['example.com/plain', 'v1.0.0'],
];

const MAIN_GO = `package main

import (
	"fmt"

	lib "example.com/lib"
	plain "example.com/plain"
	util "example.com/util"
)

func main() { fmt.Println(lib.Name(), plain.Name(), util.Name()) }
`;

const GO_MOD = `module example.com/cerana/hello

go 1.17

require (
	example.com/lib v1.2.0
	example.com/plain v1.0.0
	example.com/util v0.1.0
)

replace example.com/lib v1.2.0 => example.com/libfork v1.3.0

replace example.com/util => ./util
`;

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** Builds the test program for every target, plus PIE+stripped and externally linked amd64 variants. */
export async function buildGoFixtures(dir: string): Promise<Record<string, string>> {
  const proxy = join(dir, 'proxy');
  for (const [path, version] of MODULES) {
    const root = join(dir, 'mods', `${path}@${version}`);
    write(join(root, 'go.mod'), `module ${path}\n\ngo 1.17\n`);
    write(join(root, 'm.go'), `package m\n\nfunc Name() string { return "${path}@${version}" }\n`);
    const versions = join(proxy, path, '@v');
    mkdirSync(versions, { recursive: true });
    await run('zip', ['-qr', join(versions, `${version}.zip`), `${path}@${version}`], {
      cwd: join(dir, 'mods'),
    });
    writeFileSync(join(versions, `${version}.mod`), `module ${path}\n\ngo 1.17\n`);
    writeFileSync(
      join(versions, `${version}.info`),
      JSON.stringify({ Version: version, Time: '2024-01-01T00:00:00Z' }),
    );
    writeFileSync(join(versions, 'list'), `${version}\n`);
  }
  const src = join(dir, 'src');
  write(join(src, 'go.mod'), GO_MOD);
  write(join(src, 'main.go'), MAIN_GO);
  write(join(src, 'util', 'go.mod'), 'module example.com/util\n');
  write(join(src, 'util', 'util.go'), 'package m\n\nfunc Name() string { return "util" }\n');

  const env = {
    ...process.env,
    GOPROXY: `file://${proxy}`,
    GOSUMDB: 'off',
    GOFLAGS: '-mod=mod -modcacherw',
    GOPATH: join(dir, 'gopath'),
    // Go's build cache is content-addressed: sharing it across runs only saves compiling time.
    GOCACHE: join(tmpdir(), 'cerana-test-gocache'),
    CGO_ENABLED: '0',
  };
  const binaries: Record<string, string> = {};
  const build = async (name: string, extraEnv: Record<string, string>, args: string[]) => {
    const out = join(dir, 'bin', name);
    await run('go', ['build', '-o', out, ...args, '.'], { cwd: src, env: { ...env, ...extraEnv } });
    binaries[name] = out;
  };
  // One at a time: the first build fills the module and build caches the others reuse.
  for (const arch of Object.keys(GO_TARGETS)) await build(`hello-${arch}`, { GOARCH: arch }, []);
  await build('hello-pie-stripped', {}, ['-buildmode=pie', '-ldflags=-s -w']);
  await build('hello-external', { CGO_ENABLED: '1' }, ['-ldflags=-linkmode=external']);
  return binaries;
}

export interface GoVersionM {
  goVersion: string;
  /** The module and build lines, tab-separated, as `go version -m` prints them (blank lines dropped). */
  lines: string[];
}

/** The oracle: `go version -m` on one binary. */
export function goVersionM(binary: string): GoVersionM {
  const out = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  const [first = '', ...rest] = out.split('\n');
  return {
    goVersion: first.slice(first.indexOf(': ') + 2),
    lines: rest.filter((line) => line.trim() !== '').map((line) => line.slice(1).replace(/\t$/, '')),
  };
}

/** Our module information text in the same shape as goVersionM's lines. */
export function modinfoLines(modinfo: string): string[] {
  return modinfo
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/\t$/, ''));
}

import { describe, expect, it } from 'vitest';
import { isInstalledManifest, npmFileKind } from './paths.js';

describe('npm file kinds', () => {
  it.each([
    ['app/node_modules/lodash/package.json', 'installed'],
    ['node_modules/@babel/core/package.json', 'installed'],
    ['app/node_modules/express/node_modules/debug/package.json', 'installed'],
    ['app/node_modules/a/node_modules/@s/b/node_modules/c/package.json', 'installed'],
    ['app/node_modules/.pnpm/lodash@4.17.11/node_modules/lodash/package.json', 'installed'],
    ['usr/share/nodejs/lodash/package.json', 'installed'],
    ['usr/lib/x86_64-linux-gnu/nodejs/@types/node/package.json', 'installed'],
    ['app/node_modules/.package-lock.json', 'hidden-lockfile'],
    ['node_modules/.package-lock.json', 'hidden-lockfile'],
    ['app/package-lock.json', 'package-lock'],
    ['npm-shrinkwrap.json', 'package-lock'],
    ['srv/web/yarn.lock', 'yarn-lock'],
    ['pnpm-lock.yaml', 'pnpm-lock'],
    ['usr/share/doc/app/yarn.lock', 'yarn-lock'],
  ])('%s is %s', (path, kind) => {
    expect(npmFileKind(path)).toBe(kind);
  });

  it.each([
    'app/package.json', // the project itself
    'app/node_modules/lodash/fp/package.json', // a subdirectory marker, not a package
    'app/node_modules/resolve/test/resolver/node_modules/fake/package.json', // a fixture inside a package
    'app/node_modules/@scope/package.json',
    'app/node_modules/.cache/x/package.json',
    'app/node_modules/.bin/package.json',
    'app/node_modules/x/package-lock.json', // a package's own lockfile
    'app/node_modules/x/yarn.lock',
    'app/node_modules/x/.package-lock.json',
    'app/.package-lock.json',
    'usr/share/nodejs/package.json',
    'usr/share/nodejs/browserslist/pnpm-lock.yaml', // Debian ships packages' own lockfiles too
    'usr/share/nodejs/lodash-cli/npm-shrinkwrap.json',
    'usr/lib/x86_64-linux-gnu/nodejs/x/yarn.lock',
    'usr/share/doc/nodejs/package.json',
  ])('%s is not read', (path) => {
    expect(npmFileKind(path)).toBeUndefined();
  });

  it('takes the first node_modules as the root of the chain', () => {
    expect(isInstalledManifest('opt/node_modules/tools/node_modules/x/package.json')).toBe(true);
    expect(isInstalledManifest('node_modules/package.json')).toBe(false);
    expect(isInstalledManifest('node_modules//package.json')).toBe(false);
  });
});

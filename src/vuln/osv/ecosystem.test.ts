import { describe, expect, it } from 'vitest';
import { canonicalEcosystem, normalizePackageName, parseEcosystem } from './ecosystem.js';

describe('parseEcosystem', () => {
  it.each([
    ['PyPI', { full: 'PyPI', base: 'PyPI', qualifiers: [] }],
    ['pypi', { full: 'PyPI', base: 'PyPI', qualifiers: [] }],
    ['Debian:12', { full: 'Debian:12', base: 'Debian', release: '12', qualifiers: [] }],
    ['Alpine:v3.19', { full: 'Alpine:v3.19', base: 'Alpine', release: 'v3.19', qualifiers: [] }],
    ['Ubuntu:22.04:LTS', { full: 'Ubuntu:22.04:LTS', base: 'Ubuntu', release: '22.04', qualifiers: ['LTS'] }],
    ['Ubuntu:23.10', { full: 'Ubuntu:23.10', base: 'Ubuntu', release: '23.10', qualifiers: [] }],
    [
      'Ubuntu:Pro:FIPS-updates:18.04:LTS',
      {
        full: 'Ubuntu:Pro:FIPS-updates:18.04:LTS',
        base: 'Ubuntu',
        release: '18.04',
        qualifiers: ['Pro', 'FIPS-updates', 'LTS'],
      },
    ],
    [
      'Red Hat:enterprise_linux:9::appstream',
      {
        full: 'Red Hat:enterprise_linux:9::appstream',
        base: 'Red Hat',
        release: 'enterprise_linux:9::appstream',
        qualifiers: [],
      },
    ],
    ['Rocky Linux:9', { full: 'Rocky Linux:9', base: 'Rocky Linux', release: '9', qualifiers: [] }],
    ['crates.io', { full: 'crates.io', base: 'crates.io', qualifiers: [] }],
    ['Debian:', { full: 'Debian', base: 'Debian', qualifiers: [] }],
    [
      'SomeNewEcosystem:1',
      { full: 'SomeNewEcosystem:1', base: 'SomeNewEcosystem', release: '1', qualifiers: [] },
    ],
  ])('%s', (input, expected) => {
    expect(parseEcosystem(input)).toEqual(expected);
  });

  it('canonicalizes only the base name', () => {
    expect(canonicalEcosystem('alpine:v3.19')).toBe('Alpine:v3.19');
    expect(canonicalEcosystem('debian:12')).toBe('Debian:12');
  });
});

describe('normalizePackageName', () => {
  it.each([
    ['PyPI', 'Django', 'django'],
    ['PyPI', 'zope.interface', 'zope-interface'],
    ['PyPI', 'Foo__Bar-.baz', 'foo-bar-baz'],
    ['npm', 'Axios', 'axios'],
    ['npm', '@Babel/Core', '@babel/core'],
    ['crates.io', 'Serde_JSON', 'serde-json'],
    ['NuGet', 'Newtonsoft.Json', 'newtonsoft.json'],
    ['Packagist', 'Symfony/HTTP-Kernel', 'symfony/http-kernel'],
    ['Go', 'github.com/BurntSushi/toml', 'github.com/BurntSushi/toml'],
    ['Maven', 'org.apache.logging.log4j:log4j-core', 'org.apache.logging.log4j:log4j-core'],
    ['Debian:12', 'libssl3', 'libssl3'],
    ['Red Hat:enterprise_linux:9', 'NetworkManager', 'NetworkManager'],
    ['RubyGems', ' rails ', 'rails'],
  ])('%s %s → %s', (ecosystem, name, expected) => {
    expect(normalizePackageName(ecosystem, name)).toBe(expected);
  });
});

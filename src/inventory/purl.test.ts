import { describe, expect, it } from 'vitest';
import { formatPurl, type PurlParts, parsePurl } from './purl.js';

describe('purl', () => {
  it.each<[PurlParts, string]>([
    [
      {
        type: 'deb',
        namespace: 'debian',
        name: 'curl',
        version: '7.88.1-10+deb12u5',
        qualifiers: { arch: 'amd64', distro: 'debian-12' },
      },
      'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12',
    ],
    [
      { type: 'npm', namespace: '@angular', name: 'core', version: '12.3.1' },
      'pkg:npm/%40angular/core@12.3.1',
    ],
    [
      { type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1' },
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    ],
    [
      { type: 'golang', namespace: 'github.com/opencontainers', name: 'runc', version: 'v1.1.5' },
      'pkg:golang/github.com/opencontainers/runc@v1.1.5',
    ],
    [
      {
        type: 'rpm',
        namespace: 'redhat',
        name: 'bash',
        version: '1:5.1-2.el9',
        qualifiers: { epoch: '1', arch: 'x86_64' },
      },
      'pkg:rpm/redhat/bash@1:5.1-2.el9?arch=x86_64&epoch=1',
    ],
    [{ type: 'pypi', name: 'jinja2', version: '3.1.2', qualifiers: { empty: '' } }, 'pkg:pypi/jinja2@3.1.2'],
    [
      { type: 'generic', name: "a b!'()*~:_.-Z9", version: '1.0+x/y' },
      'pkg:generic/a%20b%21%27%28%29%2A~:_.-Z9@1.0%2Bx%2Fy',
    ],
  ])('formats %j', (parts, expected) => {
    expect(formatPurl(parts)).toBe(expected);
    const parsed = parsePurl(expected);
    expect(parsed.name).toBe(parts.name);
    expect(parsed.version).toBe(parts.version);
    expect(parsed.namespace).toBe(parts.namespace);
  });

  it('rejects junk', () => {
    expect(() => parsePurl('deb/debian/curl')).toThrow(/not a purl/);
    expect(() => parsePurl('pkg:')).toThrow(/not a purl/);
  });
});

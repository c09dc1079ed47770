import { describe, expect, it } from 'vitest';
import { detectOs } from './detect.js';

function tree(files: Record<string, string>) {
  const read = (path: string) => (files[path] === undefined ? undefined : Buffer.from(files[path]));
  const exists = (path: string) => Object.keys(files).some((f) => f === path || f.startsWith(`${path}/`));
  return [read, exists] as const;
}

const now = new Date('2026-11-22T00:00:00Z');

describe('detectOs', () => {
  it('reads os-release with quotes and the lifecycle table', () => {
    const [read, exists] = tree({
      'etc/os-release':
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    });
    expect(detectOs(read, exists, now)).toEqual({
      family: 'debian',
      version: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      source: 'etc/os-release',
      eol: false,
      eolDate: '2028-06-30',
    });
  });

  it('flags releases past their end of life', () => {
    const [read, exists] = tree({ 'usr/lib/os-release': 'ID=debian\nVERSION_ID="11"\n' });
    expect(detectOs(read, exists, now)).toMatchObject({
      family: 'debian',
      version: '11',
      eol: true,
      source: 'usr/lib/os-release',
    });
  });

  it('takes the full Alpine release from alpine-release', () => {
    const [read, exists] = tree({
      'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n',
      'etc/alpine-release': '3.19.1\n',
    });
    expect(detectOs(read, exists, now)).toMatchObject({ family: 'alpine', version: '3.19.1', eol: true });
  });

  it('falls back to legacy release files', () => {
    expect(
      detectOs(...tree({ 'etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n' }), now),
    ).toMatchObject({
      family: 'centos',
      version: '7.9.2009',
      eol: true,
    });
    expect(
      detectOs(
        ...tree({ 'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n' }),
        now,
      ),
    ).toMatchObject({
      family: 'ubuntu',
      version: '22.04',
      codename: 'jammy',
      eol: false,
    });
    expect(detectOs(...tree({ 'etc/debian_version': '10.13\n' }), now)).toMatchObject({
      family: 'debian',
      version: '10',
    });
  });

  it('recognizes distroless images by their dpkg status.d', () => {
    expect(detectOs(...tree({ 'var/lib/dpkg/status.d/base': 'Package: base-files\n' }), now)).toMatchObject({
      family: 'debian',
      distroless: true,
    });
    expect(detectOs(...tree({}), now)).toBeUndefined();
  });
});

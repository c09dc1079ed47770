import { describe, expect, it } from 'vitest';
import { parseCopyrightLicenses, parseDpkgStatus, parseFileList } from './status.js';

const STATUS = `Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u4
Description: GNU C Library
 Shared libraries.

Package: removed-pkg
Status: deinstall ok config-files
Version: 1.0

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14+b1

Garbage line without colon
Package: broken
`;

describe('parseDpkgStatus', () => {
  it('keeps installed packages with binNMU-aware source versions', () => {
    const { records, warnings } = parseDpkgStatus(STATUS, 'var/lib/dpkg/status');
    expect(records).toEqual([
      {
        name: 'libc6',
        version: '2.36-9+deb12u4',
        architecture: 'amd64',
        sourceName: 'libc6',
        sourceVersion: '2.36-9+deb12u4',
        status: 'install ok installed',
        multiArch: 'same',
      },
      {
        name: 'libgcc-s1',
        version: '12.2.0-14+b1',
        architecture: 'amd64',
        sourceName: 'gcc-12',
        sourceVersion: '12.2.0-14',
        status: 'install ok installed',
      },
    ]);
    expect(warnings).toEqual(['var/lib/dpkg/status: skipped a paragraph without Package/Version']);
  });

  it('reads only the fields it needs, continuation lines and odd spacing included', () => {
    const { records } = parseDpkgStatus(
      [
        'Package: a',
        'Status: install ok installed',
        'Conffiles:',
        ' /etc/a.conf 0123',
        'Description: first line',
        ' Version: 9 (a continuation line, not a field)',
        'Version: 1.0  ',
        'Architecture: amd64\r',
        ' \t ',
        'package: b',
        'STATUS: install ok installed',
        'VERSION : 2',
      ].join('\n'),
      'status',
    );
    expect(records.map((r) => [r.name, r.version, r.architecture])).toEqual([
      ['a', '1.0', 'amd64'],
      ['b', '2', ''],
    ]);
  });

  it('treats distroless status.d entries without Status as installed', () => {
    const { records } = parseDpkgStatus(
      'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
      'status.d/tzdata',
      false,
    );
    expect(records.map((r) => r.name)).toEqual(['tzdata']);
  });

  it('reads DEP-5 licenses and file lists', () => {
    const copyright =
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+ or Artistic\n\nFiles: x\nLicense: BSD-3-clause\n Text...\n';
    expect(parseCopyrightLicenses(Buffer.from(copyright))).toEqual(['Artistic', 'BSD-3-clause', 'GPL-2+']);
    expect(parseCopyrightLicenses(Buffer.from('This is free software, GPL.'))).toEqual([]);
    // Only lines that start with the field count; CRLF files too; names split on or/and/commas.
    const crlf =
      'Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0\r\n\r\nFiles: *\r\nLicense: MIT, Expat\r\nComment: License: not-this\r\n License: nor-this\r\nLicense:Apache-2.0 AND ISC';
    expect(parseCopyrightLicenses(Buffer.from(crlf))).toEqual(['Apache-2.0', 'Expat', 'ISC', 'MIT']);
    let invalid = 0;
    const latin1 = Buffer.concat([Buffer.from(copyright), Buffer.from('License: caf\xe9\n', 'latin1')]);
    expect(parseCopyrightLicenses(latin1, () => invalid++)).toContain('caf\ufffd');
    expect(invalid).toBe(1);
    // Invalid bytes in the license texts are never decoded, so never reported.
    parseCopyrightLicenses(
      Buffer.concat([Buffer.from(copyright), Buffer.from([0xc3, 0x28])]),
      () => invalid++,
    );
    expect(invalid).toBe(1);
    expect(parseFileList('/.\n/usr\n/usr/bin/python3\n')).toEqual(['usr', 'usr/bin/python3']);
    expect(parseFileList(' //usr/lib \r\n\n  \n.\n/x')).toEqual(['usr/lib', 'x']);
  });
});

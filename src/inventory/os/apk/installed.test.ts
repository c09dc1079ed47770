import { describe, expect, it } from 'vitest';
import { parseApkInstalled } from './installed.js';

describe('parseApkInstalled', () => {
  it('reads packages with origin, license and owned files', () => {
    const db = [
      'C:Q1abc=',
      'P:musl',
      'V:1.2.4-r2',
      'A:x86_64',
      'L:MIT',
      'o:musl',
      'F:lib',
      'R:ld-musl-x86_64.so.1',
      'R:libc.musl-x86_64.so.1',
      '',
      'P:libcrypto3',
      'V:3.1.4-r5',
      'A:x86_64',
      'L:Apache-2.0',
      'o:openssl',
      'F:usr/lib',
      'R:libcrypto.so.3',
      'F:etc/ssl',
      'R:openssl.cnf',
      '',
      'P:nover',
      '',
    ].join('\n');
    const { records, warnings } = parseApkInstalled(db);
    expect(records).toEqual([
      {
        name: 'musl',
        version: '1.2.4-r2',
        origin: 'musl',
        architecture: 'x86_64',
        license: 'MIT',
        files: ['lib/ld-musl-x86_64.so.1', 'lib/libc.musl-x86_64.so.1'],
      },
      {
        name: 'libcrypto3',
        version: '3.1.4-r5',
        origin: 'openssl',
        architecture: 'x86_64',
        license: 'Apache-2.0',
        files: ['usr/lib/libcrypto.so.3', 'etc/ssl/openssl.cnf'],
      },
    ]);
    expect(warnings).toHaveLength(1);
  });
});

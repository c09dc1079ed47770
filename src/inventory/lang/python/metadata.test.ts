import { describe, expect, it } from 'vitest';
import { csvRows, MAX_RECORD_ROWS, normalizePythonName, parseCoreMetadata, parseRecord } from './metadata.js';

describe('python core metadata', () => {
  it('normalizes names as PEP 503 says', () => {
    expect(normalizePythonName('Foo.Bar__baz-Qux')).toBe('foo-bar-baz-qux');
  });

  it('reads name, version and licenses from headers only', () => {
    const text =
      'Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\nLicense: Apache 2.0\nClassifier: License :: OSI Approved :: Apache Software License\n\nName: not-a-header\n';
    expect(parseCoreMetadata(text)).toEqual({
      name: 'requests',
      version: '2.28.1',
      licenses: ['Apache Software License'],
    });
    expect(parseCoreMetadata('Name: x\n')).toBeUndefined();
  });

  it('resolves RECORD paths against site-packages', () => {
    const record =
      'requests/__init__.py,sha256=abc,123\n"requests/odd,name.py",,\n../../../bin/normalizer,sha256=x,1\n';
    expect(parseRecord(record, 'usr/lib/python3/dist-packages')).toEqual({
      paths: [
        'usr/lib/python3/dist-packages/requests/__init__.py',
        'usr/lib/python3/dist-packages/requests/odd,name.py',
        'usr/bin/normalizer',
      ],
      malformed: 0,
      truncated: false,
    });
  });

  it('reads RECORDs as the csv module writes them: quotes, doubled quotes, CRLF, blank lines', () => {
    const record = [
      'pkg/a.py,sha256=1,10',
      '"pkg/say ""hi"".txt",sha256=2,20',
      '',
      '"pkg/two\nlines.txt",,',
      '/etc/pkg.conf,sha256=3,30',
      '../../../../../../../escape,,',
      'pkg/no-hash',
      '',
    ].join('\r\n');
    expect(parseRecord(record, 'opt/venv/lib/python3.11/site-packages')).toEqual({
      paths: [
        'opt/venv/lib/python3.11/site-packages/pkg/a.py',
        'opt/venv/lib/python3.11/site-packages/pkg/say "hi".txt',
        'etc/pkg.conf',
        'escape',
        'opt/venv/lib/python3.11/site-packages/pkg/no-hash',
      ],
      // The file name with a line break in it: no installer writes one.
      malformed: 1,
      truncated: false,
    });
  });

  it('counts garbage rows instead of reading them as files', () => {
    const record = [
      ',sha256=1,1',
      'a,b,c,d',
      `${'x/'.repeat(3000)}y,,`,
      'bad\u0000name,,',
      '..,,',
      'ok.py,,',
      '\r\r\n\n',
    ].join('\n');
    expect(parseRecord(record, 'site')).toEqual({ paths: ['site/ok.py'], malformed: 5, truncated: false });
  });

  it('stops at MAX_RECORD_ROWS rows', () => {
    const record = 'f,,\n'.repeat(MAX_RECORD_ROWS + 5);
    const parsed = parseRecord(record, 'site');
    expect(parsed.paths).toHaveLength(MAX_RECORD_ROWS);
    expect(parsed.truncated).toBe(true);
  });

  it('reads a big RECORD in linear time (no search to the end of the file per row)', () => {
    const row = 'pkg/module/file.py,sha256=0123456789abcdefghijklmnopqrstuvwxyz0123456,1234\n';
    const record = row.repeat((8 * 1024 * 1024) / row.length);
    const started = performance.now();
    expect(parseRecord(record, 'site').paths).toHaveLength(Math.floor((8 * 1024 * 1024) / row.length));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('splits CSV rows like the csv reader: a quote inside a field is literal, text after a closing quote joins', () => {
    expect([...csvRows('a"b,c\n"x"y,z\r"open\n')]).toEqual([['a"b', 'c'], ['xy', 'z'], ['open\n']]);
  });
});

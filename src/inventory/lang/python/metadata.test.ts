import { describe, expect, it } from 'vitest';
import { normalizePythonName, parseCoreMetadata, parseRecordPaths } from './metadata.js';

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
    expect(parseRecordPaths(record, 'usr/lib/python3/dist-packages')).toEqual([
      'usr/lib/python3/dist-packages/requests/__init__.py',
      'usr/lib/python3/dist-packages/requests/odd,name.py',
      'usr/bin/normalizer',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { isPythonMetadata, pypiPurlName } from './cataloger.js';

describe('python metadata paths and names', () => {
  it.each([
    ['usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO', true],
    ['usr/local/lib/python3.11/dist-packages/idna-3.4.dist-info/METADATA', true],
    ['usr/lib/python3/dist-packages/pyxdg-0.28.egg-info', true],
    ['opt/venv/lib/python3.11/site-packages/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO', true],
    ['usr/lib/python3/dist-packages/requests/METADATA', false],
    ['srv/PKG-INFO', false],
    ['.egg-info', false],
  ])('%s: %s', (path, expected) => {
    expect(isPythonMetadata(path)).toBe(expected);
  });

  it('writes purl names as the purl spec asks', () => {
    expect(pypiPurlName('Charset_Normalizer')).toBe('charset-normalizer');
    expect(pypiPurlName('zope.interface')).toBe('zope.interface');
  });
});

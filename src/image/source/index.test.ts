import { describe, expect, it } from 'vitest';
import { splitScheme } from './index.js';

describe('splitScheme', () => {
  it('recognizes every scheme, the longest first', () => {
    expect(splitScheme('docker:alpine:3')).toEqual({ scheme: 'docker', rest: 'alpine:3' });
    expect(splitScheme('docker-archive:/tmp/a.tar:app:1')).toEqual({
      scheme: 'docker-archive',
      rest: '/tmp/a.tar:app:1',
    });
    expect(splitScheme('oci:./layout@sha256:ab')).toEqual({ scheme: 'oci', rest: './layout@sha256:ab' });
    expect(splitScheme('oci-archive:x.tar')).toEqual({ scheme: 'oci-archive', rest: 'x.tar' });
    expect(splitScheme('registry:ghcr.io/a/b:1')).toEqual({ scheme: 'registry', rest: 'ghcr.io/a/b:1' });
    expect(splitScheme('dir:/')).toEqual({ scheme: 'dir', rest: '/' });
  });

  it('leaves bare references alone, including hosts named like a scheme with a port', () => {
    expect(splitScheme('alpine:3.19')).toEqual({ scheme: undefined, rest: 'alpine:3.19' });
    expect(splitScheme('localhost:5000/app')).toEqual({ scheme: undefined, rest: 'localhost:5000/app' });
    expect(splitScheme('registry:5000/team/app:1')).toEqual({
      scheme: undefined,
      rest: 'registry:5000/team/app:1',
    });
    expect(splitScheme('docker:2375/app')).toEqual({ scheme: undefined, rest: 'docker:2375/app' });
    expect(splitScheme('dir:123/x')).toEqual({ scheme: 'dir', rest: '123/x' });
  });
});

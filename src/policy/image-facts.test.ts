import { describe, expect, it } from 'vitest';
import { isRootUser, repositoryOf } from './image-facts.js';

describe('image facts', () => {
  it('names the repository without transport, tag or digest', () => {
    expect(repositoryOf('registry.example:5000/team/web:1.2')).toBe('registry.example:5000/team/web');
    expect(repositoryOf('docker:cerana-test/app:abc')).toBe('cerana-test/app');
    expect(repositoryOf('registry://ghcr.io/o/r@sha256:abc')).toBe('ghcr.io/o/r');
    expect(repositoryOf('localhost:5000/x')).toBe('localhost:5000/x');
  });

  it('treats no USER, root and uid 0 as root', () => {
    expect(['', 'root', '0', '0:0', 'root:root'].map(isRootUser)).toEqual([true, true, true, true, true]);
    expect(['app', '1000', '1000:0'].map(isRootUser)).toEqual([false, false, false]);
  });
});

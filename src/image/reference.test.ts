import { describe, expect, it } from 'vitest';
import { formatReference, isLoopbackHost, parseReference } from './reference.js';

describe('parseReference', () => {
  it.each([
    ['debian', 'docker.io', 'library/debian', 'latest', undefined],
    ['debian:12', 'docker.io', 'library/debian', '12', undefined],
    ['user/app', 'docker.io', 'user/app', 'latest', undefined],
    ['ghcr.io/org/app:v1', 'ghcr.io', 'org/app', 'v1', undefined],
    ['localhost:5000/app', 'localhost:5000', 'app', 'latest', undefined],
    ['127.0.0.1:5000/a/b:t', '127.0.0.1:5000', 'a/b', 't', undefined],
    ['index.docker.io/library/alpine', 'docker.io', 'library/alpine', 'latest', undefined],
  ])('%s', (input, registry, repository, tag, digest) => {
    expect(parseReference(input)).toEqual({ registry, repository, tag, ...(digest ? { digest } : {}) });
  });

  it('keeps digests and drops the default tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseReference(`reg.io/app@${digest}`)).toEqual({ registry: 'reg.io', repository: 'app', digest });
    expect(formatReference(parseReference(`reg.io/app:1@${digest}`))).toBe(`reg.io/app:1@${digest}`);
  });

  it.each([
    '',
    'UPPER/case',
    'a//b',
    'app:bad tag',
    'app@sha256:short',
    'app/../etc',
  ])('rejects %j', (input) => {
    expect(() => parseReference(input)).toThrow(/invalid image reference/);
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackHost('localhost:1')).toBe(true);
    expect(isLoopbackHost('[::1]:5000')).toBe(true);
    expect(isLoopbackHost('registry.example.com')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.evil.com')).toBe(false);
  });
});

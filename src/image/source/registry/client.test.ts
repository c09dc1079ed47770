import { describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';

describe('RegistryClient', () => {
  it('accepts host, host:port and bracketed IPv6 registries', () => {
    for (const registry of [
      'docker.io',
      'localhost:5000',
      '127.0.0.1:35000',
      '[::1]:5000',
      'my-registry.example',
    ]) {
      expect(() => new RegistryClient({ registry, repository: 'a/b' })).not.toThrow();
    }
  });

  it('refuses registry names that would change the URL they are put into', () => {
    for (const registry of [
      'ex.com?x',
      'ex.com#frag',
      'user@ex.com',
      'ex.com/path',
      '-ex.com',
      'ex.com:port',
    ]) {
      expect(() => new RegistryClient({ registry, repository: 'a/b' })).toThrow(/invalid registry host/);
    }
  });
});

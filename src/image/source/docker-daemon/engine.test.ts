import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../../common/errors.js';
import { DockerEngine, resolveSocket } from './engine.js';

describe('resolveSocket', () => {
  it('prefers the option, then a unix DOCKER_HOST, then the default socket', () => {
    expect(resolveSocket({ dockerSocket: '/run/x.sock' }, { DOCKER_HOST: 'unix:///other' })).toBe(
      '/run/x.sock',
    );
    expect(resolveSocket({}, { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toBe(
      '/run/user/1000/docker.sock',
    );
    expect(resolveSocket({}, {})).toBe('/var/run/docker.sock');
  });

  it('refuses a DOCKER_HOST that is not a unix socket', () => {
    expect(() => resolveSocket({}, { DOCKER_HOST: 'tcp://10.0.0.1:2376' })).toThrow(/is not a unix socket/);
  });
});

describe('DockerEngine', () => {
  it('says the daemon is unreachable, with a hint, when the socket does not exist', async () => {
    const engine = new DockerEngine('/nonexistent/cerana-test/docker.sock');
    const error = await engine.json('/images/x/json', 'image x').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CeranaError);
    expect((error as CeranaError).code).toBe('NETWORK');
    expect((error as CeranaError).message).toMatch(/cannot reach the Docker daemon at \/nonexistent.*ENOENT/);
    expect((error as CeranaError).hint).toMatch(/DOCKER_HOST/);
  });
});

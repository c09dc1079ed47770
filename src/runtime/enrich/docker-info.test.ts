import { describe, expect, it } from 'vitest';
import { containerRecord, imageRepoDigest, parseDockerTime, splitImageRef } from './docker-info.js';

const ID = 'f5339c030d8735c6f158580d03cb3f78378736f0696387048fd890f1e5171945';

/** The parts of `docker inspect` output the directory reads, as Docker 20.10 writes them. */
const INSPECT = {
  Id: ID,
  Name: '/web-1',
  Image: 'sha256:bb9d1ee0a3fd',
  State: { Running: true, Pid: 4242, StartedAt: '2026-11-22T10:30:01.123456789Z' },
  Config: {
    Image: 'registry.example.com:5000/team/web:1.2',
    Labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop', bad: 7 },
  },
  HostConfig: { Privileged: true, PidMode: 'host', NetworkMode: 'none', IpcMode: 'private' },
  GraphDriver: {
    Data: { MergedDir: '/var/lib/docker/overlay2/x/merged', UpperDir: '/var/lib/docker/overlay2/x/diff' },
  },
  NetworkSettings: { IPAddress: '' },
  Mounts: [
    { Source: '/srv/data', Destination: '/data', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    { junk: 1 },
  ],
};

describe('container records from docker inspect', () => {
  it('map identity, image, labels, privileges, mounts and the paths the sensor looks into', () => {
    const r = containerRecord(INSPECT, 'sha256:abc');
    expect(r?.info).toMatchObject({
      id: ID.slice(0, 12),
      fullId: ID,
      name: 'web-1',
      image: 'registry.example.com:5000/team/web:1.2',
      imageId: 'sha256:bb9d1ee0a3fd',
      imageRepository: 'registry.example.com:5000/team/web',
      imageTag: '1.2',
      imageDigest: 'sha256:abc',
      type: 'docker',
      privileged: true,
      hostPid: true,
      hostNetwork: false,
      hostIpc: false,
      labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop' },
      mounts: [{ source: '/srv/data', dest: '/data', mode: 'ro', rw: false, propagation: 'rprivate' }],
      startTs: 1_795_343_401_123_456_789n,
    });
    expect(r?.info.ip).toBeUndefined();
    expect(r).toMatchObject({
      rootDir: '/var/lib/docker/overlay2/x/merged',
      upperDir: '/var/lib/docker/overlay2/x/diff',
      initPid: 4242,
      running: true,
    });
  });

  it('reject documents without a proper id', () => {
    expect(containerRecord({ Id: 'nope' }, undefined)).toBeUndefined();
    expect(containerRecord('not an object', undefined)).toBeUndefined();
    expect(containerRecord({ Id: ID }, undefined)?.info).toMatchObject({
      name: ID.slice(0, 12),
      image: '',
      labels: {},
    });
  });

  it('split image references and pick repo digests', () => {
    expect(splitImageRef('debian')).toEqual({ repository: 'debian' });
    expect(splitImageRef('localhost:5000/a/b')).toEqual({ repository: 'localhost:5000/a/b' });
    expect(splitImageRef('a/b:1@sha256:00')).toEqual({ repository: 'a/b', tag: '1', digest: 'sha256:00' });
    expect(imageRepoDigest({ RepoDigests: ['x', 'debian@sha256:11'] })).toBe('sha256:11');
    expect(imageRepoDigest({ RepoDigests: [] })).toBeUndefined();
  });

  it("parse Docker's times, not its zero time", () => {
    expect(parseDockerTime('2026-11-22T10:30:01Z')).toBe(1_795_343_401_000_000_000n);
    expect(parseDockerTime('2026-11-22T11:30:01.5+01:00')).toBe(1_795_343_401_500_000_000n);
    expect(parseDockerTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(parseDockerTime('yesterday')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { containerFromCgroup } from './cgroup.js';

const ID = 'c1dda4c80fe53631f29720609009aecdf5d89b7d7aa1e900637d31bae2809090';

describe('container ids from /proc/<pid>/cgroup', () => {
  it('cgroup v1 with the cgroupfs driver (one line per hierarchy)', () => {
    const text = `12:pids:/docker/${ID}\n9:name=systemd:/docker/${ID}\n0::/\n`;
    expect(containerFromCgroup(text)).toEqual({ id: ID, runtime: 'docker' });
  });

  it('cgroup v2 with the systemd driver', () => {
    expect(containerFromCgroup(`0::/system.slice/docker-${ID}.scope\n`)).toEqual({
      id: ID,
      runtime: 'docker',
    });
  });

  it('Kubernetes pods (containerd, CRI-O, plain kubelet)', () => {
    const cri = `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b.slice/cri-containerd-${ID}.scope`;
    expect(containerFromCgroup(cri)).toEqual({ id: ID, runtime: 'containerd' });
    expect(containerFromCgroup(`0::/kubepods.slice/crio-${ID}.scope`)).toEqual({ id: ID, runtime: 'cri-o' });
    expect(containerFromCgroup(`11:memory:/kubepods/burstable/pod1a2b/${ID}`)).toEqual({ id: ID });
  });

  it('host processes and garbage have none', () => {
    expect(containerFromCgroup('0::/user.slice/user-0.slice/session-1.scope\n')).toBeUndefined();
    expect(containerFromCgroup('12:pids:/\n')).toBeUndefined();
    expect(containerFromCgroup('not a cgroup file')).toBeUndefined();
    expect(containerFromCgroup(`0::/docker/${ID.slice(1)}`)).toBeUndefined();
  });
});

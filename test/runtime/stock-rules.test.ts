/**
 * The live pipeline on a real kernel: the bpftrace sensor watches containers started from the
 * Debian test image while they act like Falco's event-generator does, and the stock Falco
 * rules (plus a few test rules for behaviours the stable set does not cover) must raise the
 * expected alerts with the right fields. The stream is recorded, and its replay must give the
 * very same alerts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type Alert, alertToJson, type RuleSet } from '../../src/runtime/engine/index.js';
import type { RuntimeEvent } from '../../src/runtime/event/types.js';
import { replay, startWatch, type WatchHandle, type WatchSummary } from '../../src/runtime/pipeline.js';
import { requireIntegration } from '../support/integration.js';
import {
  docker,
  dockerExec,
  eventually,
  loadTestRules,
  removeContainers,
  SENSOR_COMPONENTS,
  sensorAvailable,
} from './support/sensor.js';
import { buildSensorImage } from './support/sensor-image.js';

const it = requireIntegration(SENSOR_COMPONENTS, sensorAvailable);

const MAIN = `cerana-test-rt-${process.pid}`;
const SYSADMIN = `${MAIN}-sysadmin`;
const SECCOMP = `${MAIN}-seccomp`;
const UNCONFINED = `${MAIN}-unconfined`;
const ALL = [MAIN, SYSADMIN, SECCOMP, UNCONFINED];
const ENGINE = { ruleMatching: 'all' } as const;

type Fields = Alert['output_fields'];

describe('bpftrace sensor and the stock Falco rules', () => {
  let image: string;
  let rules: RuleSet;
  let watch: WatchHandle | undefined;
  let dir: string;
  let recording: string;
  const alerts: Alert[] = [];
  const events: RuntimeEvent[] = [];

  const alert = (rule: string, match: (f: Fields) => boolean): Promise<Alert | undefined> =>
    eventually(() => alerts.find((a) => a.rule === rule && match(a.output_fields)));

  beforeAll(async () => {
    if (!sensorAvailable) return;
    dir = mkdtempSync(join(tmpdir(), 'cerana-test-runtime-'));
    recording = join(dir, 'events.crn');
    image = await buildSensorImage();
    rules = loadTestRules();
    await removeContainers(ALL);
    await docker([
      'run',
      '-d',
      '--network',
      'none',
      '--label',
      'io.kubernetes.pod.name=web-0',
      '--label',
      'io.kubernetes.pod.namespace=shop',
      '--name',
      MAIN,
      image,
      'sleep',
      'infinity',
    ]);
    await docker([
      'run',
      '-d',
      '--network',
      'none',
      '--cap-add',
      'SYS_ADMIN',
      '--name',
      SYSADMIN,
      image,
      'sleep',
      'infinity',
    ]);
    watch = await startWatch({
      rules,
      engine: ENGINE,
      containers: ALL,
      record: recording,
      onAlert: (a) => alerts.push(a),
      onEvent: (e) => events.push(e),
    });
  }, 600_000);

  afterAll(async () => {
    if (!sensorAvailable) return;
    await watch?.stop().catch(() => undefined);
    await removeContainers(ALL);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reading /etc/shadow: Read sensitive file untrusted', async () => {
    await dockerExec(MAIN, ['cat', '/etc/shadow']);
    const a = await alert('Read sensitive file untrusted', (f) => f['proc.cmdline'] === 'cat /etc/shadow');
    expect(a?.output_fields).toMatchObject({
      'fd.name': '/etc/shadow',
      'proc.name': 'cat',
      'proc.exepath': '/usr/bin/cat',
      'user.name': 'root',
      'user.uid': 0,
      'container.name': MAIN,
      'evt.type': 'openat',
    });
    expect(a?.priority).toBe('Warning');
    expect(String(a?.output_fields['container.id'])).toHaveLength(12);
    // The event behind it carries the whole container, Kubernetes labels included.
    const e = events.find(
      (x) => x.type === 'openat' && x.fd?.name === '/etc/shadow' && x.proc.name === 'cat',
    );
    expect(e?.proc.container).toMatchObject({
      name: MAIN,
      image,
      imageRepository: 'cerana-test/runtime-sensor',
      imageTag: image.split(':')[1],
      type: 'docker',
      privileged: false,
      labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop' },
    });
    expect(e?.proc.container?.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(typeof e?.proc.container?.startTs).toBe('bigint');
    expect(e?.proc.vpid).toBeGreaterThan(1);
  });

  it('a path climbing out with ../: Directory traversal monitored file read', async () => {
    await dockerExec(MAIN, ['cat', '/etc/../etc/../etc/passwd']);
    const a = await alert('Directory traversal monitored file read', (f) => f['proc.name'] === 'cat');
    expect(a?.output_fields).toMatchObject({
      'fd.name': '/etc/passwd',
      'fd.nameraw': '/etc/../etc/../etc/passwd',
    });
  });

  it('writing below /etc and a binary directory (test rules: the stable set has none)', async () => {
    await dockerExec(MAIN, ['sh', '-c', 'echo x >> /etc/cerana-test.conf; echo x > /bin/cerana-test']);
    const etc = await alert('Cerana test write below etc', (f) => f['fd.name'] === '/etc/cerana-test.conf');
    expect(String(etc?.output_fields['evt.arg.flags'])).toContain('O_APPEND');
    const bin = await alert('Cerana test write below binary dir', (f) => f['fd.name'] === '/bin/cerana-test');
    expect(bin?.output_fields['proc.name']).toBe('sh');
  });

  it('a shell with a terminal: Terminal shell in container', async () => {
    await dockerExec(MAIN, ['sh', '-c', 'echo cerana-tty'], ['-t']);
    const a = await alert(
      'Terminal shell in container',
      (f) => f['proc.cmdline'] === 'sh -c echo cerana-tty',
    );
    expect(Number(a?.output_fields['proc.tty'])).toBeGreaterThan(0);
    expect(['runc', 'containerd-shim']).toContain(a?.output_fields['proc.pname']);
  });

  it('a binary copied into the container and run: Drop and execute new binary in container', async () => {
    await dockerExec(MAIN, ['sh', '-c', 'cp /bin/true /tmp/dropped && /tmp/dropped']);
    const a = await alert(
      'Drop and execute new binary in container',
      (f) => f['proc.exepath'] === '/tmp/dropped',
    );
    expect(a?.output_fields).toMatchObject({
      'proc.name': 'dropped',
      'proc.exe': '/tmp/dropped',
      'proc.pname': 'sh',
    });
    expect(String(a?.output_fields['evt.arg.flags'])).toContain('EXE_UPPER_LAYER');
    // The base image's own binaries are from lower layers.
    expect(
      alerts.some(
        (x) => x.rule === 'Drop and execute new binary in container' && x.output_fields['proc.name'] === 'cp',
      ),
    ).toBe(false);
  });

  it('a program run from a memfd: Fileless execution via memfd_create', async () => {
    // Under a shell: the rule deliberately ignores direct children of runc (runc runs itself from a memfd).
    await dockerExec(MAIN, ['sh', '-c', 'memfd-exec /bin/echo cerana; true']);
    const a = await alert(
      'Fileless execution via memfd_create',
      (f) => f['proc.exepath'] === 'memfd:cerana-payload',
    );
    expect(String(a?.output_fields['evt.arg.flags'])).toContain('EXE_FROM_MEMFD');
    expect(a?.output_fields).toMatchObject({ 'proc.pname': 'sh', 'proc.cmdline': 'memfd:cerana-pa cerana' });
  });

  it('truncating a log file: Clear Log Activities', async () => {
    await dockerExec(MAIN, ['sh', '-c', ': > /var/log/dpkg.log']);
    const a = await alert('Clear Log Activities', (f) => f['fd.name'] === '/var/log/dpkg.log');
    expect(a?.output_fields['proc.name']).toBe('sh');
  });

  it('a web server piping a download into sh (curl | sh): Run shell untrusted', async () => {
    await dockerExec(MAIN, ['httpd', '-c', 'echo id | sh']);
    const a = await alert('Run shell untrusted', (f) => f['proc.pname'] === 'httpd');
    expect(a?.output_fields).toMatchObject({ 'proc.name': 'sh', 'proc.cmdline': 'sh' });
  });

  it('netcat connecting to a loopback listener: Netcat Remote Code Execution, Redirect STDOUT/STDIN', async () => {
    await dockerExec(MAIN, [
      'sh',
      '-c',
      'nc -l 127.0.0.1 4444 > /dev/null & sleep 0.5; nc -e /bin/true 127.0.0.1 4444; wait',
    ]);
    const rce = await alert('Netcat Remote Code Execution in Container', (f) => f['proc.name'] === 'nc');
    expect(rce?.output_fields['proc.cmdline']).toBe('nc -e /bin/true 127.0.0.1 4444');
    const redirect = await alert(
      'Redirect STDOUT/STDIN to Network Connection in Container',
      (f) => f['proc.name'] === 'nc' && f['evt.type'] === 'dup2',
    );
    expect(String(redirect?.output_fields['fd.name'])).toMatch(/^127\.0\.0\.1:\d+->127\.0\.0\.1:4444$/);
    expect(redirect?.output_fields).toMatchObject({
      'fd.sip': '127.0.0.1',
      'fd.rport': 4444,
      'fd.type': 'ipv4',
      'fd.l4proto': 'tcp',
    });
  });

  it('mount and unshare denied by the default seccomp profile are still reported (exit hook)', async () => {
    await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--name',
      SECCOMP,
      image,
      'sh',
      '-c',
      'unshare -m true; mount -t tmpfs none /mnt; true',
    ]).catch(() => undefined);
    const rule = 'Cerana test namespace change attempt';
    const unshare = await alert(rule, (f) => f['evt.type'] === 'unshare' && f['container.name'] === SECCOMP);
    expect(unshare?.output_fields['evt.res']).toBe('EPERM');
    expect(String(unshare?.output_fields['evt.arg.flags'])).toContain('CLONE_NEWNS');
    const mount = await alert(rule, (f) => f['evt.type'] === 'mount' && f['container.name'] === SECCOMP);
    expect(mount?.output_fields).toMatchObject({ 'evt.res': 'EPERM', 'evt.arg.dir': '/mnt' });
    // Denied before the call starts: only runc's own setup (which made the container's
    // namespaces, and is marked as such) changed namespaces in that container.
    const changed = events.filter(
      (e) => e.proc.container?.name === SECCOMP && e.type === 'unshare' && e.res === 0,
    );
    expect(changed.filter((e) => e.proc.runtimeSetup !== true).map((e) => e.proc.cmdline)).toEqual([]);
  });

  it('unshare allowed (no seccomp, CAP_SYS_ADMIN) is reported with its success', async () => {
    await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--security-opt',
      'seccomp=unconfined',
      '--cap-add',
      'SYS_ADMIN',
      '--name',
      UNCONFINED,
      image,
      'unshare',
      '-m',
      'true',
    ]);
    const a = await alert(
      'Cerana test namespace change attempt',
      (f) => f['evt.type'] === 'unshare' && f['container.name'] === UNCONFINED,
    );
    expect(a?.output_fields['evt.res']).toBe('SUCCESS');
  });

  it('a package manager run in the container (test rule over the stock package_mgmt_binaries list)', async () => {
    await dockerExec(MAIN, ['apt-get', '--version']);
    const a = await alert('Cerana test package management in container', (f) => f['proc.name'] === 'apt-get');
    expect(a?.output_fields['proc.cmdline']).toBe('apt-get --version');
  });

  it('grep and find for private keys: Search Private Keys or Passwords', async () => {
    await dockerExec(MAIN, ['grep', '-r', '-l', 'BEGIN RSA PRIVATE', '/etc']);
    await dockerExec(MAIN, ['find', '/root', '-name', 'id_rsa']);
    const rule = 'Search Private Keys or Passwords';
    expect((await alert(rule, (f) => f['proc.name'] === 'grep'))?.output_fields['proc.cmdline']).toBe(
      'grep -r -l BEGIN RSA PRIVATE /etc',
    );
    expect((await alert(rule, (f) => f['proc.name'] === 'find'))?.output_fields['proc.cmdline']).toBe(
      'find /root -name id_rsa',
    );
  });

  it('grep for AWS keys: Find AWS Credentials', async () => {
    await dockerExec(MAIN, ['grep', '-r', 'aws_secret_access_key', '/root']);
    const a = await alert('Find AWS Credentials', (f) => f['proc.name'] === 'grep');
    expect(a?.output_fields).toMatchObject({ 'proc.cwd': '/', 'group.name': 'root' });
  });

  it('a shell told to run from /dev/shm: Execution from /dev/shm', async () => {
    await dockerExec(MAIN, ['sh', '-c', '/dev/shm/cerana-payload']);
    const a = await alert(
      'Execution from /dev/shm',
      (f) => f['proc.cmdline'] === 'sh -c /dev/shm/cerana-payload',
    );
    expect(a?.output_fields['proc.name']).toBe('sh');
  });

  it('shred: Remove Bulk Data from Disk', async () => {
    await dockerExec(MAIN, ['sh', '-c', 'echo x > /tmp/junk && shred -u /tmp/junk']);
    const a = await alert('Remove Bulk Data from Disk', (f) => f['proc.name'] === 'shred');
    expect(a?.output_fields['proc.cmdline']).toBe('shred -u /tmp/junk');
  });

  it('links to /etc/shadow: Create Symlink / Hardlink Over Sensitive Files', async () => {
    await dockerExec(MAIN, ['ln', '-s', '/etc/shadow', '/tmp/shadow-link']);
    await dockerExec(MAIN, ['ln', '/etc/shadow', '/tmp/shadow-hard']);
    const sym = await alert(
      'Create Symlink Over Sensitive Files',
      (f) => f['evt.arg.linkpath'] === '/tmp/shadow-link',
    );
    expect(sym?.output_fields).toMatchObject({ 'evt.arg.target': '/etc/shadow', 'evt.type': 'symlinkat' });
    const hard = await alert(
      'Create Hardlink Over Sensitive Files',
      (f) => f['evt.arg.newpath'] === '/tmp/shadow-hard',
    );
    expect(hard?.output_fields).toMatchObject({ 'evt.arg.oldpath': '/etc/shadow', 'evt.type': 'linkat' });
  });

  it('an AF_PACKET socket: Packet socket created in container', async () => {
    await dockerExec(MAIN, ['packet-socket']);
    const a = await alert('Packet socket created in container', (f) => f['proc.name'] === 'packet-socket');
    expect(String(a?.output_fields['evt.args'])).toContain('domain=17(AF_PACKET)');
  });

  it('ptrace: PTRACE anti-debug attempt and PTRACE attached to process', async () => {
    await dockerExec(MAIN, ['ptrace-probe']);
    expect(await alert('PTRACE anti-debug attempt', (f) => f['proc.name'] === 'ptrace-probe')).toBeDefined();
    expect(await alert('PTRACE attached to process', (f) => f['proc.name'] === 'ptrace-probe')).toBeDefined();
  });

  it('a server reading /etc/shadow long after it started: Read sensitive file trusted after startup', async () => {
    await dockerExec(MAIN, ['httpd', '-c', 'sleep 6; read x < /etc/shadow; true']);
    const a = await alert('Read sensitive file trusted after startup', (f) => f['proc.name'] === 'httpd');
    expect(a?.output_fields['fd.name']).toBe('/etc/shadow');
  });

  it('a system account running commands under sshd: System user interactive (user from the container)', async () => {
    await dockerExec(MAIN, ['sshd', '-c', 'id; true'], ['-u', 'daemon']);
    const a = await alert('System user interactive', (f) => f['proc.name'] === 'id');
    expect(a?.output_fields).toMatchObject({ 'user.name': 'daemon', 'user.uid': 1, 'proc.pname': 'sshd' });
  });

  it('writing a release_agent with CAP_SYS_ADMIN: Detect release_agent File Container Escapes', async () => {
    await dockerExec(SYSADMIN, ['sh', '-c', 'mkdir -p /tmp/cg && echo /x > /tmp/cg/release_agent']);
    const a = await alert(
      'Detect release_agent File Container Escapes',
      (f) => f['container.name'] === SYSADMIN,
    );
    expect(a?.output_fields['fd.name']).toBe('/tmp/cg/release_agent');
    expect(String(a?.output_fields['thread.cap_effective'])).toContain('CAP_SYS_ADMIN');
    expect(a?.priority).toBe('Critical');
  });

  it('the runtime setup (runc init) is recorded but never raises alerts', () => {
    expect(events.some((e) => e.proc.runtimeSetup === true && e.proc.name.startsWith('runc'))).toBe(true);
    expect(alerts.filter((a) => String(a.output_fields['proc.name']).startsWith('runc:'))).toEqual([]);
  });

  it('stops without leaving bpftrace behind, and the recording replays into identical alerts', async () => {
    const pid = watch?.pid;
    expect(pid).toBeGreaterThan(0);
    const summary = (await watch?.stop()) as WatchSummary;
    watch = undefined;
    expect(() => process.kill(pid as number, 0)).toThrow(/ESRCH/);
    expect(existsSync(recording)).toBe(true);
    expect(summary.events).toBe(events.length);
    expect(summary.alerts).toBe(alerts.length);
    expect(summary.sensor.lost).toBe(0);
    const replayed = await replay(recording, { rules, engine: ENGINE, containers: ALL });
    expect(replayed.events).toBe(events.length);
    expect(replayed.alerts.map(alertToJson)).toEqual(alerts.map(alertToJson));
    expect(alerts.length).toBeGreaterThan(20);
  });
});

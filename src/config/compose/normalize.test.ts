// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose and shell `${...}` syntax is the test input.
import { describe, expect, it } from 'vitest';
import { get, plain } from '../yaml/tree.js';
import { normalizeCompose } from './normalize.js';
import { composeWorkloads } from './workload.js';

const base = `x-common: &common
  restart: always
  cap_drop: [ALL]
services:
  web:
    <<: *common
    image: "nginx:\${TAG:-1.25}"
    ports: ["\${PORT}:80"]
    environment:
      A: "1"
      SECRET: \${SECRET:-x}
  worker:
    extends: {service: base, file: base.yaml}
    image: app:1
    cap_add: [NET_ADMIN]
  debug:
    image: busybox:1.36
    profiles: [debug]
`;
const extended = `services:
  base:
    image: base:1
    cap_add: [SYS_TIME]
    security_opt: [no-new-privileges:true]
    volumes: ["/data:/data"]
`;
const override = `services:
  web:
    ports: ["127.0.0.1:9090:90"]
    environment: ["B=2", "A=3"]
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
`;

const project = (profiles: string[] = [], env: Record<string, string> = {}) =>
  normalizeCompose(
    [
      { path: '/p/compose.yaml', text: base },
      { path: '/p/override.yaml', text: override },
    ],
    {
      dotEnv: 'PORT=8080\nTAG=1.27\n',
      env,
      profiles,
      readFile: (p) => (p === '/p/base.yaml' ? extended : ''),
    },
  );

describe('normalizeCompose', () => {
  it('interpolates from .env with the process environment winning', () => {
    const web = project([], { TAG: '1.28' }).services.get('web')?.node;
    expect(plain(get(web, 'image'))).toBe('nginx:1.28');
    expect(plain(get(web, 'ports'))).toEqual(['8080:80', '127.0.0.1:9090:90']);
  });

  it('merges files: maps by key, environment lists as maps, sequences appended', () => {
    const web = project().services.get('web')?.node;
    expect(plain(get(web, 'environment'))).toEqual({ A: '3', B: '2', SECRET: 'x' });
    expect(plain(get(web, 'cap_drop'))).toEqual(['ALL']);
    expect(plain(get(web, 'volumes'))).toEqual(['/var/run/docker.sock:/var/run/docker.sock']);
  });

  it('keeps the position of the file each value came from', () => {
    const web = project().services.get('web')?.node;
    const socket = get(web, 'volumes', 0);
    expect(socket?.file).toBe('/p/override.yaml');
    expect(socket?.span.line).toBe(5);
    expect(get(web, 'image')?.file).toBe('/p/compose.yaml');
  });

  it('resolves extends from another file, local keys winning', () => {
    const worker = project().services.get('worker')?.node;
    expect(plain(get(worker, 'image'))).toBe('app:1');
    expect(plain(get(worker, 'cap_add'))).toEqual(['SYS_TIME', 'NET_ADMIN']);
    expect(plain(get(worker, 'security_opt'))).toEqual(['no-new-privileges:true']);
  });

  it('enables services with profiles only when one is active', () => {
    expect([...project().services.keys()]).toEqual(['web', 'worker']);
    expect([...project(['debug']).services.keys()]).toEqual(['web', 'worker', 'debug']);
  });

  it('reports missing variables, circular extends and bad documents', () => {
    const p = normalizeCompose([{ path: 'c.yaml', text: 'services:\n  a:\n    image: $NOPE\n' }]);
    expect(p.missing).toEqual(['NOPE']);
    expect(() =>
      normalizeCompose([{ path: 'c.yaml', text: 'services:\n  a: {extends: b}\n  b: {extends: a}\n' }]),
    ).toThrow(/circular extends/);
    expect(() => normalizeCompose([{ path: 'c.yaml', text: '- a\n' }])).toThrow(/not a Compose file/);
    expect(() =>
      normalizeCompose([{ path: 'c.yaml', text: 'services:\n  a:\n    image: ${X:?X is required}\n' }]),
    ).toThrow(/X is required/);
  });

  it('maps services to the workload model', () => {
    const [web, worker] = composeWorkloads(project());
    expect(web?.volumes[0]).toMatchObject({ type: 'hostPath', hostPath: { value: '/var/run/docker.sock' } });
    expect(
      web?.containers[0]?.ports.map((p) => [p.hostIP?.value, p.hostPort?.value, p.containerPort?.value]),
    ).toEqual([
      [undefined, 8080, 80],
      ['127.0.0.1', 9090, 90],
    ]);
    expect(worker?.containers[0]?.securityContext.allowPrivilegeEscalation?.value).toBe(false);
    expect(worker?.containers[0]?.securityContext.capabilities.add.map((c) => c.value)).toEqual([
      'SYS_TIME',
      'NET_ADMIN',
    ]);
  });
});

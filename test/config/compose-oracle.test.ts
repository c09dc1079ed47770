import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { parse } from 'yaml';
import { normalizeCompose } from '../../src/config/compose/normalize.js';
import { get, plain } from '../../src/config/yaml/tree.js';
import { commandWorks, requireIntegration } from '../support/integration.js';

/**
 * Checks Cerana's Compose normalization against `docker-compose config` (Debian package
 * docker-compose) on the same files: interpolation with .env, extends, and multi-file merge.
 */
const available = commandWorks('docker-compose', ['version']);
const test = requireIntegration('docker-compose', available);

const files: Record<string, string> = {
  'compose.yaml': `x-common: &common
  restart: always
  cap_drop: [ALL]
services:
  web:
    <<: *common
    image: "nginx:\${TAG:-1.25}"
    ports: ["\${PORT}:80"]
    environment:
      A: "1"
      SECRET: \${SECRET:-fallback}
      EMPTY: \${EMPTY-unset}
  worker:
    extends: {service: base, file: base.yaml}
    image: app:1
    cap_add: [NET_ADMIN]
    privileged: \${PRIV:-false}
`,
  'base.yaml': `services:
  base:
    image: base:1
    cap_add: [SYS_TIME]
    security_opt: [no-new-privileges:true]
    environment: [FROM_BASE=yes]
`,
  'override.yaml': `services:
  web:
    ports: ["127.0.0.1:9090:90"]
    environment: ["B=2", "A=3"]
    cap_add: [CHOWN]
`,
  '.env': 'PORT=8080\nTAG=1.27\nEMPTY=\n',
};

/** The fields both tools agree to express the same way, order-insensitive where Compose is. */
function projection(service: Record<string, unknown>) {
  const sorted = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : []);
  return {
    image: service.image,
    environment: service.environment,
    cap_add: sorted(service.cap_add),
    cap_drop: sorted(service.cap_drop),
    security_opt: sorted(service.security_opt),
    restart: service.restart,
    privileged: service.privileged === true || service.privileged === 'true',
  };
}

describe('Compose normalization matches docker-compose config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

  test('interpolation, extends and merge', () => {
    const env = { ...process.env, PRIV: 'true' };
    delete env.TAG;
    const reference = parse(
      execFileSync('docker-compose', ['-f', 'compose.yaml', '-f', 'override.yaml', 'config'], {
        cwd: dir,
        env,
        encoding: 'utf8',
      }),
    ) as { services: Record<string, Record<string, unknown>> };
    const ours = normalizeCompose(
      [
        { path: join(dir, 'compose.yaml'), text: files['compose.yaml'] ?? '' },
        { path: join(dir, 'override.yaml'), text: files['override.yaml'] ?? '' },
      ],
      { dotEnv: files['.env'] ?? '', env: { PRIV: 'true' }, readFile: (p) => readFileSync(p, 'utf8') },
    );
    for (const name of ['web', 'worker']) {
      const mine = plain(ours.services.get(name)?.node) as Record<string, unknown>;
      expect(projection(mine), name).toEqual(projection(reference.services[name] ?? {}));
    }
    // Ports: same published/target pairs.
    const refPorts = (reference.services.web?.ports as unknown[]).map((p) =>
      typeof p === 'string'
        ? p.replace(/\/tcp$/, '')
        : `${(p as { published: number }).published}:${(p as { target: number }).target}`,
    );
    expect(plain(get(ours.services.get('web')?.node, 'ports'))).toEqual(refPorts);
  });
});

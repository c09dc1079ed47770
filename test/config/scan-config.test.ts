import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv-draft-04';
import { afterAll, describe, expect, it } from 'vitest';
import { configReportRules } from '../../src/config/catalog.js';
import { helmAvailable } from '../../src/config/helm.js';
import { scanConfig } from '../../src/config/index.js';
import { toJUnit } from '../../src/report/junit.js';
import { toSarif } from '../../src/report/sarif.js';

const corpus = resolve('test/config/corpus');
const result = scanConfig([corpus], { env: {} });
const at = (file: string, id: string) =>
  result.findings
    .filter((f) => f.id === id && f.location.path === join(corpus, file))
    .map((f) => [f.location.line, f.location.column]);

describe('scanConfig over the corpus', () => {
  it('detects every file type', () => {
    const types = Object.fromEntries(result.files.map((f) => [f.path.slice(corpus.length + 1), f.type]));
    expect(types).toEqual({
      'compose/compose.override.yaml': 'compose',
      'compose/compose.yaml': 'compose',
      'daemon/daemon.json': 'docker-daemon',
      'dockerfiles/hardened.Dockerfile': 'dockerfile',
      'dockerfiles/insecure.Dockerfile': 'dockerfile',
      'kubernetes/cerana-agent.yaml': 'kubernetes',
      'kubernetes/cerana-server.yaml': 'kubernetes',
      'kubernetes/legacy-list.yaml': 'kubernetes',
    });
    expect(result.errors).toEqual([]);
  });

  it('points at the exact line and column', () => {
    expect(at('dockerfiles/insecure.Dockerfile', 'CER-DF-110')).toEqual([[8, 50]]);
    expect(at('dockerfiles/insecure.Dockerfile', 'CER-DF-127')).toEqual([[5, 25]]);
    expect(at('kubernetes/legacy-list.yaml', 'CER-WL-012')).toEqual([[25, 30]]);
    expect(at('daemon/daemon.json', 'CER-DD-006')).toEqual([[3, 3]]);
    // A value merged in from the override file is reported in that file.
    expect(at('compose/compose.override.yaml', 'CER-PSS-006')).toEqual([[3, 13]]);
  });

  it('keeps the hardened references clean', () => {
    const clean = result.findings.filter((f) =>
      /hardened\.Dockerfile|cerana-server\.yaml/.test(f.location.path ?? ''),
    );
    expect(clean.map((f) => `${f.id} ${f.location.path}:${f.location.line}`)).toEqual([]);
  });

  it('applies inline suppressions with their reasons', () => {
    const suppressed = result.findings.filter((f) => f.suppressed);
    expect(suppressed.map((f) => [f.id, f.suppressed?.reason])).toEqual([
      ['CER-PSS-002', 'the eBPF sensor maps host PIDs to containers'],
      ['CER-PSS-003', 'loading eBPF programs needs a privileged container'],
    ]);
  });

  it('resolves Compose profiles and .env', () => {
    const withDebug = scanConfig([join(corpus, 'compose')], { env: {}, profiles: ['debug'] });
    expect(
      withDebug.findings.some((f) => f.location.object === 'service debug' && f.id === 'CER-PSS-002'),
    ).toBe(true);
    expect(result.findings.some((f) => f.location.object === 'service debug')).toBe(false);
    expect(
      result.findings.find((f) => f.id === 'CER-WL-020' && f.location.object === 'service web')?.evidence,
    ).toBe('0.0.0.0:8080');
  });
});

describe('errors and suppression files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports malformed files with positions and still scans the rest', () => {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM alpine:3.19\nRUNN echo\n');
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n');
    writeFileSync(
      join(dir, 'good.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, securityContext: {privileged: true}}]\n',
    );
    writeFileSync(
      join(dir, 'ignored.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n  hostPID: true # cerana:ignore CER-PSS-002\n  containers: [{name: c, image: x}]\n',
    );
    const r = scanConfig([dir]);
    expect(r.errors).toContainEqual({
      path: join(dir, 'Dockerfile'),
      message: `${join(dir, 'Dockerfile')}:2:1: unknown instruction RUNN`,
      line: 2,
      column: 1,
    });
    const yamlError = r.errors.find((e) => e.path === join(dir, 'bad.yaml'));
    expect(yamlError?.line).toBe(4);
    expect(yamlError?.message).toMatch(/bad\.yaml:4:1: Flow sequence/);
    expect(r.errors.find((e) => e.path === join(dir, 'ignored.yaml'))?.message).toMatch(
      /needs a rule id and a reason/,
    );
    expect(r.findings.some((f) => f.id === 'CER-PSS-003' && f.location.path === join(dir, 'good.yaml'))).toBe(
      true,
    );
    expect(r.findings.find((f) => f.id === 'CER-PSS-002')?.suppressed).toBeUndefined();
  });

  it('suppression files apply until they expire', () => {
    const file = join(dir, 'suppressions.yaml');
    writeFileSync(
      file,
      'suppressions:\n  - id: CER-DF-002\n    path: "**/insecure.Dockerfile"\n    reason: legacy image, replaced in Q3\n    expires: 2030-01-01\n  - id: DL3006\n    reason: matched by alias\n    expires: 2020-01-01\n',
    );
    const r = scanConfig([join(corpus, 'dockerfiles')], { suppressionsFile: file, today: '2026-06-01' });
    expect(r.findings.find((f) => f.id === 'CER-DF-002')?.suppressed).toEqual({
      by: file,
      reason: 'legacy image, replaced in Q3',
      expires: '2030-01-01',
    });
    expect(r.errors).toContainEqual({ path: file, message: 'suppression of DL3006 expired on 2020-01-01' });
    const later = scanConfig([join(corpus, 'dockerfiles')], { suppressionsFile: file, today: '2030-01-02' });
    expect(later.findings.find((f) => f.id === 'CER-DF-002')?.suppressed).toBeUndefined();
  });

  it('rejects suppressions without a reason', () => {
    const file = join(dir, 'bad-suppressions.yaml');
    writeFileSync(file, 'suppressions:\n  - id: CER-DF-002\n');
    expect(() => scanConfig([join(corpus, 'dockerfiles')], { suppressionsFile: file })).toThrow(
      /needs an id and a reason/,
    );
  });

  it('does not parse Helm templates as manifests and says how to render a chart', () => {
    const chart = join(dir, 'chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
    writeFileSync(
      join(chart, 'templates', 'deploy.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n',
    );
    const r = scanConfig([chart]);
    if (helmAvailable()) {
      expect(r.files).toEqual([{ path: join(chart, '(rendered)'), type: 'kubernetes' }]);
      expect(r.findings.some((f) => f.location.object?.startsWith('Deployment/'))).toBe(true);
    } else {
      expect(r.files).toEqual([]);
      expect(r.errors).toEqual([
        {
          path: chart,
          message: `Helm chart not rendered (no helm on PATH): run \`helm template chart ${chart} > rendered.yaml\` and scan rendered.yaml`,
        },
      ]);
    }
  });

  it('fails clearly on paths that do not exist', () => {
    expect(() => scanConfig([join(dir, 'nope')])).toThrow(/no such file or directory/);
  });
});

describe('report formats', () => {
  it('writes SARIF 2.1.0 that validates against the official schema', () => {
    const schema = JSON.parse(
      readFileSync('node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json', 'utf8'),
    );
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const sarif = toSarif(result.findings, {
      baseDir: process.cwd(),
      toolVersion: '0.1.0',
      informationUri: 'https://github.com/cerana/cerana',
      rules: configReportRules(),
    });
    const ok = validate(sarif);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    const run = (
      sarif.runs as {
        results: {
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
          suppressions?: unknown[];
        }[];
      }[]
    )[0];
    const first = run?.results.find((r) =>
      r.locations[0]?.physicalLocation.artifactLocation.uri.endsWith('insecure.Dockerfile'),
    );
    expect(first?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'test/config/corpus/dockerfiles/insecure.Dockerfile',
    );
    expect(run?.results.filter((r) => r.suppressions).length).toBe(2);
    const driverRules =
      (sarif.runs as { tool: { driver: { rules: unknown[] } } }[])[0]?.tool.driver.rules ?? [];
    expect(driverRules.length).toBe(configReportRules().length);
  });

  it('writes JUnit XML with one case per finding', () => {
    const xml = toJUnit(result.findings, { checked: result.files.map((f) => f.path) });
    const failures = result.findings.filter((f) => !f.suppressed).length;
    expect(xml).toContain(`failures="${failures}" skipped="2"`);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(result.findings.length + 2);
    expect(xml).not.toMatch(/<failure[^>]*>[^<]*[<>][^<]*<\/failure>/);
  });
});

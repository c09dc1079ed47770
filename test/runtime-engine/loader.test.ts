import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CeranaError } from '../../src/common/errors.js';
import {
  alertToJson,
  compileFilter,
  Engine,
  type EngineOptions,
  formatLoadMessage,
  type LoadMessage,
  loadRules,
  type RuleSet,
  validateRules,
} from '../../src/runtime/engine/index.js';
import type { RuntimeEvent } from '../../src/runtime/event/types.js';
import { exec, nginx, O_RDONLY, O_WRONLY, openat, proc } from './support/events.js';

const files = (...contents: string[]) =>
  contents.map((content, i) => ({ name: `rules${i + 1}.yaml`, content }));

function load(...contents: string[]): RuleSet {
  const result = loadRules(files(...contents), { appendOutput: false, hostname: 'h' });
  if (!result.ok) throw new Error(result.errors.map(formatLoadMessage).join('\n'));
  return result.ruleSet;
}

function problems(...contents: string[]): {
  errors: string[];
  warnings: string[];
  raw: readonly LoadMessage[];
} {
  const result = loadRules(files(...contents), { appendOutput: false, hostname: 'h' });
  return {
    errors: result.errors.map(formatLoadMessage),
    warnings: result.warnings.map(formatLoadMessage),
    raw: [...result.errors, ...result.warnings],
  };
}

const fired = (rs: RuleSet, e: RuntimeEvent, options: EngineOptions = { ruleMatching: 'all' }) =>
  new Engine(rs, options).process(e).map((a) => a.rule);

const rule = (name: string, condition: string, extra = '') =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: "%proc.name %fd.name"\n  priority: WARNING\n${extra}`;

const cat = proc({ name: 'cat', exe: 'cat', exePath: '/bin/cat', args: ['/etc/shadow'] });
const vim = proc({ name: 'vim', exe: 'vim', exePath: '/usr/bin/vim' });
const readShadow = openat(cat, '/etc/shadow', O_RDONLY);

describe('lists and macros', () => {
  it('expand nested lists and resolve lists and macros defined after the rule', () => {
    const rs = load(
      rule('r', 'opened and proc.name in (editors)'),
      '- macro: opened\n  condition: evt.type = openat\n- list: viewers\n  items: [cat, less]\n- list: editors\n  items: [viewers, vim]\n',
    );
    expect(fired(rs, readShadow)).toEqual(['r']);
    expect(fired(rs, openat(vim, '/x', 0))).toEqual(['r']);
    expect(fired(rs, openat(proc({ name: 'ls' }), '/x', 0))).toEqual([]);
  });

  it('let a macro see only macros defined before it', () => {
    const { errors } = problems(
      `- macro: a\n  condition: b\n- macro: b\n  condition: evt.type = openat\n${rule('r', 'a')}`,
    );
    expect(errors[0]).toBe("rules1.yaml:2:14: error: macro 'a': undefined macro 'b'");
    expect(errors[1]).toMatch(/rule 'r': macro 'a' has errors/);
  });

  it('detect macro cycles through redefinition', () => {
    const { errors } = problems(
      '- macro: a\n  condition: evt.type = openat\n- macro: b\n  condition: a\n- macro: a\n  condition: b\n' +
        rule('r', 'a'),
    );
    expect(errors.join('\n')).toMatch(/refers to itself|undefined macro/);
  });

  it('append to lists and macros, with append: true and with override', () => {
    const base =
      '- list: bins\n  items: [cat]\n- macro: m\n  condition: evt.type = openat and (proc.name in (bins)\n';
    const legacy = load(
      base,
      '- list: bins\n  items: [vim]\n  append: true\n- macro: m\n  condition: or fd.num = 99)\n  append: true\n' +
        rule('r', 'm'),
    );
    expect(fired(legacy, openat(vim, '/x', 0))).toEqual(['r']);
    expect(fired(legacy, openat(proc({ name: 'ls' }), '/x', 0, 99))).toEqual(['r']);
    const overridden = load(
      base,
      '- list: bins\n  items: [vim]\n  override:\n    items: replace\n- macro: m\n  condition: or fd.num = 99)\n  override:\n    condition: append\n' +
        rule('r', 'm'),
    );
    expect(fired(overridden, readShadow)).toEqual([]);
    expect(fired(overridden, openat(vim, '/x', 0))).toEqual(['r']);
  });

  it('warn about unused macros and lists, and unknown keys', () => {
    const { warnings } = problems(
      '- list: spare\n  items: [x]\n- macro: spare_macro\n  condition: proc.name = x\n' +
        rule('r', 'evt.type = openat', '  colour: blue\n'),
    );
    expect(warnings).toEqual(
      expect.arrayContaining([
        "rules1.yaml:1:3: warning: list 'spare': list is not used by any rule, macro or list",
        "rules1.yaml:3:3: warning: macro 'spare_macro': macro is not used by any rule or macro",
        "rules1.yaml:10:3: warning: rule 'r': unknown key 'colour'",
      ]),
    );
  });
});

describe('rules: append, override, enabled, redefinition', () => {
  const base =
    rule('r', 'evt.type = openat and fd.name startswith /etc', '  tags: [a]\n') +
    rule('s', 'evt.type = execve');

  it('append conditions and exceptions with append: true', () => {
    const rs = load(base, '- rule: r\n  condition: and proc.name != cat\n  append: true\n');
    expect(fired(rs, readShadow)).toEqual([]);
    expect(fired(rs, openat(vim, '/etc/hosts', 0))).toEqual(['r']);
  });

  it('append and replace selected keys with override', () => {
    const rs = load(
      base,
      [
        '- rule: r',
        '  condition: and proc.name = cat',
        '  output: (extra)',
        '  desc: more',
        '  tags: [b]',
        '  priority: CRITICAL',
        '  override:',
        '    condition: append',
        '    output: append',
        '    desc: append',
        '    tags: append',
        '    priority: replace',
      ].join('\n'),
    );
    const r = rs.rules.find((x) => x.name === 'r');
    expect(r).toMatchObject({ desc: 'd more', priority: 'CRITICAL', tags: ['a', 'b'] });
    expect(r?.output.text).toBe('%proc.name %fd.name (extra)');
    expect(fired(rs, openat(vim, '/etc/hosts', 0))).toEqual([]);
    expect(new Engine(rs).process(readShadow)[0]?.output).toMatch(/Critical cat \/etc\/shadow \(extra\)$/);
  });

  it('disable rules with enabled-only items and with override, keeping definition order', () => {
    const rs = load(
      base,
      '- rule: r\n  enabled: false\n- rule: s\n  enabled: false\n  override:\n    enabled: replace\n',
    );
    expect(rs.rules.map((r) => [r.name, r.enabled])).toEqual([
      ['r', false],
      ['s', false],
    ]);
    expect(fired(rs, readShadow)).toEqual([]);
    const redefined = load(base, rule('r', 'evt.type = execve'));
    expect(redefined.rules.map((r) => r.name)).toEqual(['r', 's']);
    expect(fired(redefined, exec(cat))).toEqual(['r', 's']);
    expect(fired(redefined, exec(cat), { ruleMatching: 'first' })).toEqual(['r']);
  });

  it('report override mistakes at the offending key', () => {
    expect(
      problems(base, '- rule: r\n  condition: x\n  append: true\n  override:\n    condition: append\n')
        .errors[0],
    ).toMatch(/'override' and 'append: true' cannot be used together/);
    expect(problems(base, '- rule: r\n  priority: INFO\n  override:\n    priority: append\n').errors[0]).toBe(
      "rules2.yaml:4:5: error: rule 'r': key 'priority' cannot be appended to, use 'replace' instead",
    );
    expect(
      problems(base, '- rule: r\n  desc: x\n  output: y\n  override:\n    desc: replace\n').errors[0],
    ).toBe("rules2.yaml:3:11: error: rule 'r': unexpected key 'output': no entry for it under 'override'");
    expect(problems(base, '- rule: nope\n  condition: x\n  append: true\n').errors[0]).toMatch(
      /rule 'nope': rule appends to a rule that is not defined before/,
    );
    expect(problems(base, '- rule: nope\n  enabled: false\n').errors[0]).toMatch(/no rule by that name/);
  });
});

describe('exceptions', () => {
  const withExceptions = (exceptions: string) =>
    rule('r', 'evt.type = openat and fd.name startswith /etc', `  exceptions:\n${exceptions}`);

  it('default to "in" for a single field and "=" for each of several fields', () => {
    const rs = load(
      '- list: editors\n  items: [vim, nano]\n',
      withExceptions(
        [
          '    - name: readers',
          '      fields: proc.name',
          '      values: [cat, editors]',
          '    - name: pairs',
          '      fields: [proc.name, fd.name]',
          '      values:',
          '        - [ls, /etc/hosts]',
          '        - [tee, /etc/motd]',
        ].join('\n'),
      ),
    );
    expect(fired(rs, readShadow)).toEqual([]);
    expect(fired(rs, openat(vim, '/etc/x', 0))).toEqual([]);
    expect(fired(rs, openat(proc({ name: 'ls' }), '/etc/hosts', 0))).toEqual([]);
    expect(fired(rs, openat(proc({ name: 'ls' }), '/etc/motd', 0))).toEqual(['r']);
    expect(fired(rs, openat(proc({ name: 'tee' }), '/etc/motd', 0))).toEqual([]);
  });

  it('use explicit comparison operators, list values and parenthesized lists', () => {
    const rs = load(
      withExceptions(
        [
          '    - name: paths',
          '      fields: [proc.name, fd.name]',
          '      comps: [in, pmatch]',
          '      values:',
          '        - [[cat, head], [/etc/ssl, /etc/shadow]]',
          '        - ["(tail, less)", /etc/hosts]',
          '    - name: prefix',
          '      fields: [fd.directory]',
          '      comps: [startswith]',
          '      values: [[/etc/cron]]',
        ].join('\n'),
      ),
    );
    expect(fired(rs, readShadow)).toEqual([]);
    expect(fired(rs, openat(proc({ name: 'head' }), '/etc/ssl/key.pem', 0))).toEqual([]);
    expect(fired(rs, openat(proc({ name: 'less' }), '/etc/hosts', 0))).toEqual([]);
    expect(fired(rs, openat(proc({ name: 'less' }), '/etc/shadow', 0))).toEqual(['r']);
    expect(fired(rs, openat(vim, '/etc/cron.d/job', 0))).toEqual([]);
  });

  it('append values to an existing exception and add new ones', () => {
    const rs = load(
      withExceptions('    - name: readers\n      fields: proc.name\n      values: [cat]\n'),
      '- rule: r\n  exceptions:\n    - name: readers\n      values: [vim]\n    - name: files\n      fields: fd.name\n      values: [/etc/hosts]\n  override:\n    exceptions: append\n',
    );
    expect(fired(rs, readShadow)).toEqual([]);
    expect(fired(rs, openat(vim, '/etc/x', 0))).toEqual([]);
    expect(fired(rs, openat(proc({ name: 'ls' }), '/etc/hosts', 0))).toEqual([]);
    expect(fired(rs, openat(proc({ name: 'ls' }), '/etc/x', 0))).toEqual(['r']);
  });

  it('reject malformed exceptions with their position', () => {
    const errorOf = (ex: string) => problems(withExceptions(ex)).errors[0];
    expect(
      errorOf('    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n      values: []\n'),
    ).toMatch(
      /rules1.yaml:7:7: error: rule 'r': fields and comps of exception 'e' must be lists of equal length/,
    );
    expect(errorOf('    - name: e\n      fields: [proc.name]\n      comps: [like]\n      values: []\n')).toBe(
      "rules1.yaml:9:15: error: rule 'r': 'like' is not a supported comparison operator",
    );
    expect(errorOf('    - name: e\n      fields: [proc.nam]\n      values: []\n')).toMatch(
      /rules1.yaml:8:16: error: rule 'r': 'proc.nam' is not a supported filter field: unknown field 'proc.nam'/,
    );
    expect(errorOf('    - name: e\n      fields: [proc.name, fd.name]\n      values: [[cat]]\n')).toMatch(
      /rules1.yaml:9:16: error: rule 'r': each value of exception 'e' must be a list with one entry per field/,
    );
    expect(errorOf('    - name: e\n      fields: proc.name\n      comps: "="\n      values: [x]\n')).toMatch(
      /comps must be one of \(in, pmatch, intersects\)/,
    );
  });
});

describe('errors and warnings name the file, item and position', () => {
  it('for YAML syntax', () => {
    expect(problems('- rule: r\n  desc: [unclosed\n').errors[0]).toMatch(/^rules1.yaml:\d+:\d+: error: /);
  });

  it('for unknown fields inside block-scalar conditions, and inside macros', () => {
    const multi =
      '- rule: r\n  desc: d\n  condition: >\n    evt.type = openat\n    and proc.nmae = cat\n  output: x\n  priority: INFO\n';
    expect(problems(multi).errors).toEqual(["rules1.yaml:5:9: error: rule 'r': unknown field 'proc.nmae'"]);
    const viaMacro = `- macro: m\n  condition: fd.nme = x\n${rule('r', 'evt.type = openat and m')}`;
    expect(problems(viaMacro).errors).toEqual([
      "rules1.yaml:2:14: error: rule 'r': unknown field 'fd.nme' (in macro 'm')",
    ]);
  });

  it('for bad values, operators, outputs and event types', () => {
    expect(problems(rule('r', 'evt.type = openat and fd.num = abc')).errors[0]).toBe(
      "rules1.yaml:3:45: error: rule 'r': 'abc' is not a number (compared with 'fd.num')",
    );
    expect(problems(rule('r', 'evt.type = openat and fd.num contains 3')).errors[0]).toMatch(
      /operator 'contains' does not apply to 'fd.num' \(a int field\)/,
    );
    expect(problems(rule('r', 'evt.type = opne')).errors[0]).toBe(
      "rules1.yaml:3:25: error: rule 'r': unknown event type 'opne'",
    );
    expect(problems(rule('r', "evt.type = openat and fd.name regex 'a(b'")).errors[0]).toMatch(
      /invalid regular expression/,
    );
    const badOutput =
      '- rule: r\n  desc: d\n  condition: evt.type = openat\n  output: "file=%fd.nam x"\n  priority: INFO\n';
    expect(problems(badOutput).errors[0]).toBe(
      "rules1.yaml:4:17: error: rule 'r': invalid output token '%fd.nam': unknown field 'fd.nam'",
    );
    expect(problems(rule('r', 'evt.type = openat and fd.ip = 1.2.3.4')).errors).toEqual([]);
    const filterOnlyOutput =
      '- rule: r\n  desc: d\n  condition: evt.type = connect\n  output: "%fd.ip"\n  priority: INFO\n';
    expect(problems(filterOnlyOutput).errors[0]).toMatch(/'fd.ip' is filter only/);
  });

  it('for item shape problems', () => {
    expect(
      problems('- rule: r\n  desc: d\n  condition: evt.type = openat\n  priority: LOUD\n  output: x\n')
        .errors[0],
    ).toMatch(/rules1.yaml:4:13: error: rule 'r': invalid priority 'LOUD'/);
    expect(
      problems('- rule: r\n  desc: d\n  condition: evt.type = openat\n  priority: INFO\n').errors[0],
    ).toBe("rules1.yaml:1:3: error: rule 'r': missing 'output'");
    expect(problems('- list: "bad name"\n  items: []\n').errors[0]).toMatch(/invalid list name 'bad name'/);
    expect(problems('- macro: bad-name\n  condition: x\n').errors[0]).toMatch(
      /invalid macro name 'bad-name'/,
    );
    expect(problems('rule: r\n').errors[0]).toMatch(/must be a YAML sequence/);
    expect(problems('- just a string\n').errors[0]).toBe(
      'rules1.yaml:1:3: error: item: each item must be a mapping (rule, macro, list...)',
    );
    expect(problems('- widget: x\n').warnings[0]).toMatch(/unknown top-level item/);
  });

  it('for engine and plugin requirements and unknown sources', () => {
    expect(problems('- required_engine_version: 0.99.0\n').errors[0]).toMatch(
      /rules require engine version 0.99.0, but this engine is version 0.57.0/,
    );
    expect(problems('- required_engine_version: 13\n').errors).toEqual([]);
    const plugins = problems(
      '- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n  - name: k8saudit\n    version: 0.1.0\n',
    );
    expect(plugins.errors).toEqual([]);
    expect(plugins.warnings).toEqual([expect.stringMatching(/plugin 'k8saudit' is not available/)]);
    const audit = problems(`${rule('k', 'ka.verb = create')}  source: k8s_audit\n`);
    expect(audit.errors).toEqual([]);
    expect(audit.warnings).toEqual([expect.stringMatching(/unknown source 'k8s_audit': rule skipped/)]);
  });

  it('skip rules with unknown fields when skip-if-unknown-filter is set', () => {
    const { errors, warnings } = problems(
      rule('r', 'evt.type = openat and proc.future_field = 1', '  skip-if-unknown-filter: true\n') +
        rule('s', 'evt.type = openat'),
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/unknown field 'proc.future_field': rule skipped/)]);
    expect(
      validateRules(
        files(rule('r', 'evt.type = openat and proc.future_field = 1', '  skip-if-unknown-filter: true\n')),
      ).summary.rules,
    ).toBe(0);
  });

  it('for hostile files whose lists or macros multiply', () => {
    const lists = ['- list: l0\n  items: [a, b, c, d, e, f, g, h, i, j]']
      .concat(
        Array.from(
          { length: 6 },
          (_, i) => `- list: l${i + 1}\n  items: [${Array(10).fill(`l${i}`).join(', ')}]`,
        ),
      )
      .join('\n');
    expect(problems(lists).errors[0]).toMatch(/list 'l5': list expands to more than 100000 items/);
    const macros = ['- macro: m0\n  condition: proc.name = x']
      .concat(Array.from({ length: 30 }, (_, i) => `- macro: m${i + 1}\n  condition: m${i} or m${i}`))
      .join('\n');
    const started = performance.now();
    expect(problems(`${macros}\n${rule('r', 'evt.type = openat and m30')}`).errors.join('\n')).toMatch(
      /expands to more than 1000000 checks/,
    );
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('for unreadable files', () => {
    const result = loadRules(['/nonexistent/rules.yaml']);
    expect(result.ok).toBe(false);
    expect(formatLoadMessage(result.errors[0] as LoadMessage)).toMatch(
      /^\/nonexistent\/rules.yaml:1:1: error: cannot read rules file: ENOENT/,
    );
    expect(
      loadRules([{ name: 'big.yaml', content: 'x'.repeat(100) }], { maxFileBytes: 10 }).errors[0]?.code,
    ).toBe('file-too-large');
  });
});

describe('rules directories', () => {
  it('load the .yaml and .yml files of a directory in name order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerana-test-rules-'));
    try {
      writeFileSync(join(dir, '10-base.yaml'), rule('r', 'evt.type = openat'));
      writeFileSync(join(dir, '20-local.yml'), '- rule: r\n  enabled: false\n');
      writeFileSync(join(dir, 'notes.txt'), 'not rules');
      const result = loadRules([dir]);
      expect(result.errors).toEqual([]);
      expect(result.ok && result.ruleSet.rules.map((r) => [r.name, r.enabled])).toEqual([['r', false]]);
      expect(result.ok && result.ruleSet.files).toEqual([
        join(dir, '10-base.yaml'),
        join(dir, '20-local.yml'),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validateRules', () => {
  it('summarizes a valid set of files', () => {
    const report = validateRules(
      files(rule('r', 'evt.type = openat') + rule('s', 'evt.type = execve', '  enabled: false\n')),
    );
    expect(report).toMatchObject({
      ok: true,
      errors: [],
      summary: { rules: 2, enabledRules: 1, macros: 0, lists: 0 },
    });
  });
});

describe('compileFilter', () => {
  it('compiles a condition using the macros and lists of a rule set', () => {
    const rs = load('- list: viewers\n  items: [cat]\n- macro: opened\n  condition: evt.type = openat\n');
    const f = compileFilter('opened and proc.name in (viewers)', { rules: rs });
    expect(f(readShadow)).toBe(true);
    expect(f(openat(vim, '/x', 0))).toBe(false);
  });

  it('throws a CeranaError with the column of the problem', () => {
    expect(() => compileFilter('proc.name = cat and fd.nme = x')).toThrow(CeranaError);
    expect(() => compileFilter('proc.name = cat and fd.nme = x')).toThrow(
      "invalid filter at column 21: unknown field 'fd.nme'",
    );
  });
});

describe('Engine robustness and counters', () => {
  it('count events and alerts, and survive a rule that throws on a malformed event', () => {
    const rs = load(rule('r', 'evt.type = openat and proc.name contains c') + rule('s', 'evt.type = openat'));
    const errors: string[] = [];
    const engine = new Engine(rs, { onError: (_err, name) => errors.push(name) });
    expect(engine.process(readShadow).map((a) => a.rule)).toEqual(['r']);
    const broken = { ...readShadow, proc: { ...cat, name: 42 as unknown as string } };
    expect(engine.process(broken).map((a) => a.rule)).toEqual(['s']);
    expect(errors).toEqual(['r']);
    expect(engine.stats()).toMatchObject({ events: 2, alerts: 2, errors: 1 });
    expect(engine.stats().alertsByRule).toEqual(
      new Map([
        ['r', 1],
        ['s', 1],
      ]),
    );
  });

  it('warn that conditions on evt.dir cannot match enter events', () => {
    expect(problems(rule('r', 'evt.type = setuid and evt.dir = >')).warnings).toEqual([
      expect.stringMatching(/rules1.yaml:3:36: warning: rule 'r': evt.dir is deprecated/),
    ]);
  });
});

describe('Engine options and alert JSON', () => {
  const rs = load(
    `${rule('low', 'evt.type = openat').replace('WARNING', 'DEBUG')}${rule('high', 'evt.type = openat', '  tags: [noisy]\n').replace('WARNING', 'CRITICAL')}`,
  );

  it('filter by priority, tags and names', () => {
    expect(fired(rs, readShadow)).toEqual(['low', 'high']);
    expect(fired(rs, readShadow, { ruleMatching: 'all', minPriority: 'WARNING' })).toEqual(['high']);
    expect(fired(rs, readShadow, { ruleMatching: 'all', disabledTags: ['noisy'] })).toEqual(['low']);
    expect(fired(rs, readShadow, { ruleMatching: 'all', disabledRules: ['low'] })).toEqual(['high']);
  });

  it('serialize alerts like Falco, with exact nanosecond integers', () => {
    const [alert] = new Engine(rs).process({ ...readShadow, ts: 1_700_000_000_123_456_789n });
    const json = alertToJson(alert as never);
    expect(Object.keys(JSON.parse(json))).toEqual([
      'hostname',
      'output',
      'output_fields',
      'priority',
      'rule',
      'source',
      'tags',
      'time',
    ]);
    expect(json).toContain('"evt.time":1700000000123456789');
    expect(JSON.parse(json)).toMatchObject({
      rule: 'low',
      priority: 'Debug',
      time: '2023-11-14T22:13:20.123456789Z',
    });
  });

  it('append the container fields to outputs by default, like Falco', () => {
    const r = loadRules(files(rule('r', 'evt.type = openat')));
    if (!r.ok) throw new Error('load failed');
    const [alert] = new Engine(r.ruleSet).process(openat(nginx, '/x', O_WRONLY));
    expect(alert?.output).toMatch(/nginx \/x container_id=3ad7b26ded6d container_name=web$/);
  });
});

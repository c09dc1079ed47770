import { describe, expect, it } from 'vitest';
import { createEvent, createProcess } from '../event/factory.js';
import { FilterError } from './filter-error.js';
import { parseOutput, renderOutput } from './output.js';
import { inlineSource } from './source.js';

const ctx = { hostname: 'h' };
const proc = createProcess({
  pid: 7,
  ppid: 1,
  name: 'curl',
  exe: 'curl',
  exePath: '/usr/bin/curl',
  args: ['-s', 'http://x'],
  user: { uid: 0 },
  group: { gid: 0 },
  container: {
    id: 'abc123abc123',
    fullId: 'abc123abc123ffff',
    name: 'api',
    image: 'api:1',
    type: 'docker',
    labels: {},
  },
});
const e = createEvent({ num: 1, ts: 1n, type: 'connect', tid: 7, args: { fd: 3 }, proc });
const render = (fmt: string) => renderOutput(parseOutput(inlineSource(fmt), ctx), e);

describe('output templates', () => {
  it('substitute fields, <NA> for missing values, and keep literal text', () => {
    expect(render('cmd=%proc.cmdline parent=%proc.pname (%evt.type)')).toBe(
      'cmd=curl -s http://x parent=<NA> (connect)',
    );
    expect(render('100%% of %proc.name, 50% done')).toBe('100% of curl, 50% done');
    expect(render('%toupper(proc.name)|%proc.aname[0]|%evt.arg.fd')).toBe('CURL|curl|3');
  });

  it('expand %container.info to the container id and name', () => {
    expect(render('x %container.info')).toBe('x container_id=abc123abc123 container_name=api');
    const t = parseOutput(inlineSource('%container.info %container.id'), ctx);
    expect(t.fields.map((f) => f.key)).toEqual(['container.id', 'container.name']);
  });

  it('reject unknown and filter-only fields with their position', () => {
    const err = (fmt: string) => {
      try {
        parseOutput(inlineSource(fmt), ctx);
      } catch (x) {
        if (x instanceof FilterError) return `${x.at.offset}: ${x.message}`;
      }
      return 'no error';
    };
    expect(err('a %proc.nme b')).toBe("2: invalid output token '%proc.nme': unknown field 'proc.nme'");
    expect(err('%fd.net')).toBe("0: 'fd.net' is filter only and cannot be used in an output");
    expect(err('%proc.aname[x]')).toMatch(/numeric index/);
  });
});

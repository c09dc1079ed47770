import { describe, expect, it } from 'vitest';
import { EventTypeSet, eventTypesOf } from './evttypes.js';
import { parseCondition } from './parser.js';
import { inlineSource } from './source.js';

const types = (condition: string) => {
  const set = eventTypesOf(parseCondition(inlineSource(condition)));
  return set.complement ? `all but ${[...set.types].sort().join(',')}` : (set.list() ?? []).join(',');
};

describe('event types of a condition', () => {
  it('come from evt.type checks through and, or and not', () => {
    expect(types('evt.type = open')).toBe('open');
    expect(types('evt.type in (open, openat) and fd.num >= 0')).toBe('open,openat');
    expect(types('evt.type = open or evt.type = execve')).toBe('execve,open');
    expect(types('evt.type in (open, openat) and evt.type in (openat, openat2)')).toBe('openat');
    expect(types('evt.type = open and not evt.type = open')).toBe('');
  });

  it('are every type when some branch does not restrict them', () => {
    expect(types('proc.name = cat')).toBe('all but ');
    expect(types('evt.type = open or proc.name = cat')).toBe('all but ');
    expect(types('evt.type != switch')).toBe('all but switch');
    expect(types('not (evt.type in (switch, procexit))')).toBe('all but procexit,switch');
  });

  it('handle negations of mixed checks conservatively', () => {
    // true for open events with another name, and for every other event type
    expect(types('not (evt.type = open and proc.name = cat)')).toBe('all but ');
    expect(types('evt.type = open and not proc.name = cat')).toBe('open');
    expect(types('tolower(evt.type) = open')).toBe('all but ');
  });

  it('count known types for the too-many-types warning', () => {
    expect(EventTypeSet.of(['open', 'nonsense']).knownSize).toBe(2);
    expect(EventTypeSet.ALL.knownSize).toBeGreaterThan(300);
    expect(EventTypeSet.of(['open']).invert().knownSize).toBe(EventTypeSet.ALL.knownSize - 1);
    expect(EventTypeSet.of(['open']).invert().has('openat')).toBe(true);
  });
});

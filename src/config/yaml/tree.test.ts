import { describe, expect, it } from 'vitest';
import { bool, ConfigSyntaxError, get, num, parseYaml, plain, str } from './tree.js';

describe('parseYaml', () => {
  it('keeps positions of every node across documents', () => {
    const docs = parseYaml('a.yaml', 'kind: Pod\n---\nkind: Service\nspec:\n  type: NodePort\n');
    expect(docs).toHaveLength(2);
    const type = get(docs[1]?.root ?? undefined, 'spec', 'type');
    expect(str(type)).toBe('NodePort');
    expect(type?.span).toMatchObject({ line: 5, column: 9 });
  });

  it('expands aliases and merge keys, explicit keys winning', () => {
    const [doc] = parseYaml('c.yaml', 'base: &b\n  a: 1\n  b: 2\nsvc:\n  <<: *b\n  b: 3\n  c: *b\n');
    expect(plain(doc?.root ?? undefined)).toEqual({
      base: { a: 1, b: 2 },
      svc: { a: 1, b: 3, c: { a: 1, b: 2 } },
    });
  });

  it('caps alias expansion (billion laughs)', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      bomb.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(() => parseYaml('bomb.yaml', bomb.join('\n'), { maxNodes: 100_000 })).toThrow(
      /more than 100000 nodes/,
    );
  });

  it('reports malformed YAML with its position', () => {
    try {
      parseYaml('bad.yaml', 'a: 1\nb: [1, 2\nc: 3\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigSyntaxError);
      expect((error as ConfigSyntaxError).message).toMatch(/^bad\.yaml:\d+:\d+: /);
    }
  });

  it('reads typed scalars', () => {
    const [doc] = parseYaml('t.yaml', 'a: true\nb: "false"\nc: 42\nd: "7"\n');
    const root = doc?.root ?? undefined;
    expect([bool(get(root, 'a')), bool(get(root, 'b')), num(get(root, 'c')), num(get(root, 'd'))]).toEqual([
      true,
      false,
      42,
      7,
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCommands } from './commands.js';
import { lex } from './lex.js';

const cmds = (s: string) => parseCommands(s, (o) => o);

describe('shell lexer', () => {
  it('removes quotes and escapes but keeps offsets', () => {
    const words = lex(`echo 'a b' "c \\"d\\"" e\\ f`).filter((t) => t.kind === 'word');
    expect(words.map((w) => w.value)).toEqual(['echo', 'a b', 'c "d"', 'e f']);
    expect(words[1]).toMatchObject({ start: 5, end: 10, quoted: true });
  });

  it('reads redirections with file descriptors and here-document bodies', () => {
    const tokens = lex('cat 2>&1 >> /log <<-EOF\n\tline one\n\tEOF\necho after');
    const redirects = tokens.filter((t) => t.kind === 'redirect');
    expect(redirects.map((r) => [r.op, r.target?.value])).toEqual([
      ['>&', '1'],
      ['>>', '/log'],
      ['<<-', 'EOF'],
    ]);
    expect(redirects[2]?.body).toBe('line one');
    expect(cmds('cat <<EOF\nx\nEOF\necho after').map((c) => c.name)).toEqual(['cat', 'echo']);
  });

  it('skips comments only at word starts', () => {
    expect(
      lex('echo a#b # comment')
        .filter((t) => t.kind === 'word')
        .map((t) => t.value),
    ).toEqual(['echo', 'a#b']);
  });
});

describe('shell commands', () => {
  it('splits pipelines and lists and records the operator before each', () => {
    const list = cmds('a | b && c || d; e & f');
    expect(list.map((c) => [c.name, c.after, c.pipelineIndex])).toEqual([
      ['a', '', 0],
      ['b', '|', 1],
      ['c', '&&', 0],
      ['d', '||', 0],
      ['e', ';', 0],
      ['f', '&', 0],
    ]);
  });

  it('peels wrappers and assignments', () => {
    const [c] = cmds(
      'DEBIAN_FRONTEND=noninteractive sudo -u root env A=1 nice -n 5 /usr/bin/apt-get install x',
    );
    expect(c?.name).toBe('apt-get');
    expect(c?.wrappers).toEqual(['sudo', 'env', 'nice']);
    expect(c?.assignments.map((w) => w.value)).toEqual(['DEBIAN_FRONTEND=noninteractive', 'A=1']);
  });

  it('descends into substitutions, process substitutions and sh -c, marking depth', () => {
    const list = cmds('bash <(curl -s https://x) && sh -c "wget -q y | tar x" && echo `id -u`');
    expect(list.map((c) => [c.name, c.depth, c.substituted])).toEqual([
      ['bash', 0, false],
      ['curl', 1, true],
      ['sh', 0, false],
      ['wget', 1, false],
      ['tar', 1, false],
      ['echo', 0, false],
      ['id', 1, true],
    ]);
  });

  it('marks subshells and skips control keywords', () => {
    const list = cmds('(cd /x; make) && for f in a b; do rm $f; done && while true; do sleep 1; done');
    expect(list.map((c) => [c.name, c.subshell])).toEqual([
      ['cd', true],
      ['make', true],
      ['rm', false],
      ['true', false],
      ['sleep', false],
    ]);
  });
});

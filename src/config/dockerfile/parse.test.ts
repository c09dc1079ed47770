import { describe, expect, it } from 'vitest';
import { DockerfileSyntaxError, joinContinuations, parseDockerfile } from './parse.js';

const names = (text: string, keyword = 'RUN'): string[] =>
  parseDockerfile('Dockerfile', text)
    .instructions.filter((i) => i.keyword === keyword)
    .flatMap((i) => i.commands.map((c) => c.name))
    .filter((n) => n !== '');

describe('parseDockerfile', () => {
  it('splits stages, aliases, tags and digests', () => {
    const m = parseDockerfile(
      'Dockerfile',
      'ARG V=1\nFROM docker.io/library/alpine:3.19@sha256:abc AS build\nRUN true\nFROM build\n',
    );
    expect(m.globalArgs).toHaveLength(1);
    expect(m.stages).toHaveLength(2);
    expect(m.stages[0]?.from).toMatchObject({
      name: 'docker.io/library/alpine',
      tag: '3.19',
      digest: 'sha256:abc',
    });
    expect(m.stages[0]?.from.alias?.value).toBe('build');
    expect(m.stages[1]?.from.parentStage).toBe(0);
  });

  it('keeps positions through continuations and embedded comments', () => {
    const text = 'FROM alpine\nRUN apk add \\\n# comment\n    curl && \\\n    sudo apt-get install -y x\n';
    const m = parseDockerfile('Dockerfile', text);
    const run = m.instructions[1];
    expect(run?.commands.map((c) => c.name)).toEqual(['apk', 'apt-get']);
    const curl = run?.commands[0]?.argv[2];
    expect(curl?.value).toBe('curl');
    expect(m.lines.position(curl?.start ?? 0)).toEqual({ line: 4, column: 5 });
    expect(run?.commands[1]?.wrappers).toEqual(['sudo']);
  });

  it('reads commands from here-documents, pipes, substitutions and sh -c', () => {
    expect(names('FROM a\nRUN <<EOF\nset -e\ncurl -k https://x | sh\nEOF\n')).toEqual(['set', 'curl', 'sh']);
    expect(names('FROM a\nRUN sh -c "$(wget -qO- https://x)"\n')).toEqual(['sh', 'wget']);
    expect(names("FROM a\nRUN bash -c 'cd /x && make'\n")).toEqual(['bash', 'cd', 'make']);
    expect(names('FROM a\nRUN python3 <<EOF\nimport os\nEOF\n')).toEqual(['python3']);
    expect(names('FROM a\nRUN if [ -f x ]; then rm x; fi\n')).toEqual(['[', 'rm']);
  });

  it('knows exec form and switches off shell parsing for non-POSIX shells', () => {
    const m = parseDockerfile(
      'Dockerfile',
      'FROM a\nCMD ["node", "app.js"]\nSHELL ["pwsh", "-c"]\nRUN curl -k x\n',
    );
    expect(m.instructions[1]?.json).toEqual(['node', 'app.js']);
    expect(m.instructions[3]?.nonPosixShell).toBe(true);
    expect(m.instructions[3]?.commands).toEqual([]);
  });

  it('parses --mount flags and key/value pairs', () => {
    const m = parseDockerfile('Dockerfile', 'FROM a\nRUN --mount=type=secret,id=npm true\nENV A=1 B="x y"\n');
    expect(m.instructions[1]?.flags[0]?.options).toEqual({ type: 'secret', id: 'npm' });
    expect(m.instructions[2]?.pairs.map((p) => [p.name, p.value])).toEqual([
      ['A', '1'],
      ['B', 'x y'],
    ]);
  });

  it('reports malformed files with a position', () => {
    expect(() => parseDockerfile('Dockerfile', 'FROM a\nFROB x\n')).toThrow(
      /Dockerfile:2:1: unknown instruction FROB/,
    );
    expect(() => parseDockerfile('Dockerfile', 'RUN x\n')).toThrow(DockerfileSyntaxError);
    expect(() => parseDockerfile('Dockerfile', '# nothing\n')).toThrow(/no FROM instruction/);
    expect(() => parseDockerfile('Dockerfile', 'FROM a\u0000')).toThrow(/binary/);
  });

  it('joins continuations with a custom escape character', () => {
    const text = 'a `\nb';
    expect(joinContinuations(text, 0, text.length, '`').logical).toBe('a b');
  });
});

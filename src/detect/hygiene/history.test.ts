import { describe, expect, it } from 'vitest';
import { addStepOf, buildArgsOf, displayUrl, instructionOf } from './history.js';

const HEX = 'edb18694326f3c83091e8f308c5a9cc5ef1f74036a66ada3d4b7eb78438e880b';

describe('history lines', () => {
  it('strips the legacy no-op prefix and the BuildKit suffix', () => {
    expect(instructionOf('/bin/sh -c #(nop)  ENV A=b')).toBe('ENV A=b');
    expect(instructionOf('ENV A=b # buildkit')).toBe('ENV A=b');
    expect(instructionOf('/bin/sh -c apt-get update')).toBe('/bin/sh -c apt-get update');
  });

  it.each([
    [
      '|2 NPM_TOKEN=abc123 MODE=prod /bin/sh -c npm ci',
      [
        ['NPM_TOKEN', 'abc123'],
        ['MODE', 'prod'],
      ],
    ],
    ['RUN |1 GH_TOKEN=ghp_x /bin/sh -c make # buildkit', [['GH_TOKEN', 'ghp_x']]],
    ['/bin/sh -c #(nop)  ARG DB_PASSWORD=s3cr3t', [['DB_PASSWORD', 's3cr3t']]],
    ['ARG API_KEY="quoted value" OTHER', [['API_KEY', 'quoted value']]],
    ['/bin/sh -c #(nop)  ARG NPM_TOKEN', []],
    ['|1 EMPTY= /bin/sh -c true', [['EMPTY', '']]],
    ['/bin/sh -c echo |1 A=b', []],
  ])('build args of %j', (line, expected) => {
    expect(buildArgsOf(line).map((a) => [a.name, a.value])).toEqual(expected);
  });

  it.each([
    [`/bin/sh -c #(nop) ADD file:${HEX} in / `, { urls: [], remote: false, local: true, destination: '/' }],
    [
      `/bin/sh -c #(nop) ADD dir:${HEX} in /opt/app `,
      { urls: [], remote: false, local: true, destination: '/opt/app' },
    ],
    [
      `/bin/sh -c #(nop) ADD ${HEX} in /opt/payload.txt `,
      { urls: [], remote: true, local: false, destination: '/opt/payload.txt' },
    ],
    [
      'ADD --chmod=755 https://example.com/tool?token=x /usr/local/bin/tool # buildkit',
      {
        urls: ['https://example.com/tool?token=x'],
        remote: true,
        local: false,
        destination: '/usr/local/bin/tool',
      },
    ],
    ['ADD app.tar.gz /srv/ # buildkit', { urls: [], remote: false, local: true, destination: '/srv/' }],
    [`/bin/sh -c #(nop) COPY file:${HEX} in /x `, undefined],
  ])('ADD step of %j', (line, expected) => {
    expect(addStepOf(line)).toEqual(expected);
  });

  it('shows URLs without credentials or query strings', () => {
    expect(displayUrl('https://user:pw@example.com/a/b?token=1#x')).toBe('https://example.com/a/b');
    expect(displayUrl('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
  });
});

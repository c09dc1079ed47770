import { describe, expect, it } from 'vitest';
import { parseDepsJson } from './deps-json.js';

describe('.NET deps.json', () => {
  it('lists libraries of type package only', () => {
    const doc = {
      runtimeTarget: { name: '.NETCoreApp,Version=v8.0', signature: '' },
      targets: { '.NETCoreApp,Version=v8.0': { 'WebApp/1.0.0': {}, 'Newtonsoft.Json/13.0.1': {} } },
      libraries: {
        'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
        'Newtonsoft.Json/13.0.1': {
          type: 'package',
          serviceable: true,
          sha512: 'sha512-x',
          path: 'newtonsoft.json/13.0.1',
          hashPath: 'newtonsoft.json.13.0.1.nupkg.sha512',
        },
        'System.Text.Encodings.Web/4.7.1': { type: 'package', serviceable: true },
        'Microsoft.NETCore.App.Runtime.linux-x64/8.0.0': { type: 'runtimepack' },
        'mscorlib/4.0.0.0': { type: 'reference' },
      },
    };
    expect(parseDepsJson(doc, 'WebApp.deps.json', [])).toEqual([
      { name: 'Newtonsoft.Json', version: '13.0.1' },
      { name: 'System.Text.Encodings.Web', version: '4.7.1' },
    ]);
  });

  it('warns about documents without libraries and unusable keys', () => {
    const warnings: string[] = [];
    expect(parseDepsJson({ runtimeTarget: {} }, 'a.deps.json', warnings)).toEqual([]);
    expect(
      parseDepsJson(
        { libraries: { nokey: { type: 'package' }, '/1.0': { type: 'package' } } },
        'b.deps.json',
        warnings,
      ),
    ).toEqual([]);
    expect(warnings).toEqual([
      'a.deps.json: not a .NET deps.json (no "libraries" object)',
      'b.deps.json: skipped 2 libraries without a usable <id>/<version> key',
    ]);
  });
});

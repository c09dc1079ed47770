import { describe, expect, it } from 'vitest';
import { parseGemspec, stringLiteral } from './gemspec.js';

const generated = `# -*- encoding: utf-8 -*-
# stub: rack 2.2.4 ruby lib

Gem::Specification.new do |s|
  s.name = "rack".freeze
  s.version = "2.2.4"

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "bug_tracker_uri" => "https://example.invalid/issues" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Someone".freeze]
  s.date = "2022-06-30"
  s.licenses = ["MIT".freeze, "Ruby".freeze]
  s.rubygems_version = "3.3.15".freeze
  s.summary = "A modular Ruby webserver interface".freeze

  s.installed_by_version = "3.3.15" if s.respond_to? :installed_by_version

  if s.respond_to? :specification_version then
    s.specification_version = 4
  end
end
`;

describe('gemspec', () => {
  it('reads the literals RubyGems writes', () => {
    expect(parseGemspec(generated)).toEqual({ name: 'rack', version: '2.2.4', licenses: ['MIT', 'Ruby'] });
  });

  it('reads older and hand-made forms: %q{}, single quotes, Gem::Version, license =, other block variables', () => {
    const old = `Gem::Specification.new do |spec|
  spec.name = %q{net-ssh}
  spec.version = Gem::Version.new('6.1.0')
  spec.license = 'MIT'
end`;
    expect(parseGemspec(old)).toEqual({ name: 'net-ssh', version: '6.1.0', licenses: ['MIT'] });
    expect(
      parseGemspec('Gem::Specification.new { |g|\n  g.name = "json"\n  g.version = "2.6.1".freeze\n}'),
    ).toEqual({
      name: 'json',
      version: '2.6.1',
      licenses: [],
    });
  });

  it('falls back to the stub line when values are computed, never evaluating Ruby', () => {
    const computed = `# stub: mygem 1.0.3 ruby lib
Gem::Specification.new do |s|
  s.name = File.basename(__FILE__, ".gemspec")
  s.version = MyGem::VERSION
  s.license = "#{\`rm -rf /\`}"
end`;
    expect(parseGemspec(computed)).toEqual({ name: 'mygem', version: '1.0.3', licenses: [] });
    expect(parseGemspec('Gem::Specification.new do |s|\n  s.name = x\nend')).toBeUndefined();
  });

  it('rejects values that are no gem names or versions', () => {
    expect(parseGemspec('# stub: ../../etc 1.0\n')).toBeUndefined();
    expect(parseGemspec('# stub: ok not-a-version\n')).toBeUndefined();
  });

  it('decodes string escapes like Ruby', () => {
    expect(stringLiteral('"a\\"b".freeze')).toBe('a"b');
    expect(stringLiteral("'a\\'b\\n'")).toBe("a'b\\n");
    expect(stringLiteral('%Q(x)')).toBe('x');
    expect(stringLiteral('%(y)')).toBe('y');
    expect(stringLiteral('"unterminated')).toBeUndefined();
  });

  it('stays linear on hostile lines', () => {
    const line = `Gem::Specification.new do |s|\n  s.name =${' '.repeat(200_000)}x\n  s.version = "1.0"${' '.repeat(200_000)}!\nend`;
    const started = performance.now();
    expect(parseGemspec(line)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

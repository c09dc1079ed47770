import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildContextImage } from '../../support/images.js';

/**
 * A Debian image with Python, Ruby and PHP packages installed the way real images get them:
 * apt (python3-requests, ruby-rack, composer: their files are dpkg-owned), pip installing a
 * local project, `gem install` of a gem built in the image, Composer installing local path
 * packages (it writes vendor/composer/installed.json itself), plus metadata no tool here can
 * write: a distutils-style `.egg-info` file and directory, a Composer 1 installed.json and a
 * .NET deps.json, in their real formats.
 */
const FILES: Record<string, string> = {
  Dockerfile: `FROM cerana-test/debian:bookworm
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \\
 && apt-get install -y -qq --no-install-recommends python3-requests python3-pip ruby ruby-rack composer \\
 && rm -rf /var/lib/apt/lists/*
COPY pylocal /tmp/pylocal
RUN pip install --quiet --no-index --no-build-isolation --no-deps --break-system-packages /tmp/pylocal && rm -rf /tmp/pylocal
COPY gem /tmp/gem
RUN cd /tmp/gem && gem build --quiet cerana-hello.gemspec && gem install --local --no-document cerana-hello-0.1.0.gem && rm -rf /tmp/gem
COPY php /srv/php
RUN cd /srv/php && COMPOSER_ALLOW_SUPERUSER=1 composer install --quiet --no-interaction --no-plugins --no-scripts
COPY site/ /usr/local/lib/python3.11/dist-packages/
COPY site-packages/ /usr/local/lib/python3.11/site-packages/
COPY legacy-php /srv/legacy
COPY dotnet /opt/dotnet-app
`,
  'pylocal/setup.py': `from setuptools import setup

setup(
    name="Cerana_Local-Pkg",
    version="1.2.3",
    license="MIT",
    py_modules=["cerana_local"],
)
`,
  'pylocal/cerana_local.py': 'VALUE = 1\n',
  'gem/cerana-hello.gemspec': `Gem::Specification.new do |s|
  s.name = "cerana-hello"
  s.version = "0.1.0"
  s.summary = "A gem built in a Cerana test image"
  s.authors = ["Cerana tests"]
  s.files = ["lib/cerana_hello.rb"]
  s.license = "MIT"
end
`,
  'gem/lib/cerana_hello.rb': 'module CeranaHello; end\n',
  'php/composer.json': JSON.stringify(
    {
      name: 'cerana/php-app',
      require: { 'cerana/greeter': '1.4.2' },
      repositories: [
        { type: 'path', url: 'pkgs/*', options: { symlink: false } },
        { 'packagist.org': false },
      ],
    },
    null,
    2,
  ),
  'php/pkgs/greeter/composer.json': JSON.stringify({
    name: 'cerana/greeter',
    version: '1.4.2',
    license: 'MIT',
    require: { 'cerana/logger': '^2.0' },
  }),
  'php/pkgs/logger/composer.json': JSON.stringify({
    name: 'cerana/logger',
    version: '2.0.1',
    license: ['Apache-2.0', 'MIT'],
  }),
  // distutils wrote PKG-INFO as a single `<name>-<version>.egg-info` file.
  'site/legacy_tool-0.9.egg-info': 'Metadata-Version: 1.1\nName: legacy_tool\nVersion: 0.9\nLicense: BSD\n',
  'site/Old.Dist-2.0-py3.11.egg-info/PKG-INFO':
    'Metadata-Version: 1.2\nName: Old.Dist\nVersion: 2.0\nSummary: an egg-info directory\n',
  'site/Old.Dist-2.0-py3.11.egg-info/top_level.txt': 'old_dist\n',
  // Where python.org builds (the python:3.x images) install; Debian's Python looks there only
  // with PYTHONPATH.
  'site-packages/Site_Only-0.5.dist-info/METADATA':
    'Metadata-Version: 2.1\nName: Site_Only\nVersion: 0.5\nClassifier: License :: OSI Approved :: MIT License\n',
  'site-packages/Site_Only-0.5.dist-info/RECORD':
    'site_only.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\nSite_Only-0.5.dist-info/METADATA,,\nSite_Only-0.5.dist-info/RECORD,,\n',
  'site-packages/site_only.py': '',
  // Composer 1 wrote installed.json as a bare list.
  'legacy-php/vendor/composer/installed.json': JSON.stringify(
    [
      {
        name: 'monolog/monolog',
        version: '1.25.1',
        version_normalized: '1.25.1.0',
        type: 'library',
        license: ['MIT'],
        'installation-source': 'dist',
      },
      { name: 'psr/log', version: '1.1.0', version_normalized: '1.1.0.0', type: 'library', license: ['MIT'] },
    ],
    null,
    4,
  ),
  'dotnet/WebApp.deps.json': JSON.stringify(
    {
      runtimeTarget: { name: '.NETCoreApp,Version=v8.0', signature: '' },
      compilationOptions: {},
      targets: {
        '.NETCoreApp,Version=v8.0': {
          'WebApp/1.0.0': { dependencies: { 'Newtonsoft.Json': '13.0.1', 'System.Text.Json': '4.7.2' } },
          'Newtonsoft.Json/13.0.1': { runtime: { 'lib/net6.0/Newtonsoft.Json.dll': {} } },
          'System.Text.Json/4.7.2': { runtime: { 'lib/netcoreapp3.0/System.Text.Json.dll': {} } },
        },
      },
      libraries: {
        'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
        'Newtonsoft.Json/13.0.1': {
          type: 'package',
          serviceable: true,
          sha512:
            'sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==',
          path: 'newtonsoft.json/13.0.1',
          hashPath: 'newtonsoft.json.13.0.1.nupkg.sha512',
        },
        'System.Text.Json/4.7.2': {
          type: 'package',
          serviceable: true,
          sha512:
            'sha512-4Ml5Nke4+3M0yfvHWCAfe2sdY1LyhB1D2DcXSEO8MeGHl4T7Ke1djl4f0G0mhLWQRnA0oUfYXNzx0jlGVpSt4A==',
          path: 'system.text.json/4.7.2',
          hashPath: 'system.text.json.4.7.2.nupkg.sha512',
        },
      },
    },
    null,
    2,
  ),
};

/** Writes the build context into `dir` and builds it (apt needs the host network). */
export async function buildLangImage(dir: string): Promise<string> {
  for (const [path, content] of Object.entries(FILES)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return buildContextImage('inventory-lang', dir, { network: 'host' });
}

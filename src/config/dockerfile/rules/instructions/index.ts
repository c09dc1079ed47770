import { bindRules, loadRuleMeta } from '../../../rule.js';
import { BUILDER_PREDEFINED_ARGS } from '../../build-args.js';
import type { DockerfileModel, Instruction } from '../../model.js';
import { finalStage, stageByName } from '../../model.js';
import { commandSpan, runCommands } from '../helpers.js';

const POINTLESS = new Set([
  'ssh',
  'vim',
  'vi',
  'nano',
  'shutdown',
  'reboot',
  'service',
  'ps',
  'free',
  'top',
  'htop',
  'kill',
  'mount',
  'ifconfig',
  'systemctl',
]);
const PREDEFINED = new Set([
  'PATH',
  'HOME',
  'HOSTNAME',
  'PWD',
  'SHELL',
  'USER',
  'TERM',
  'SOURCE_DATE_EPOCH',
  'BUILDKIT_INLINE_CACHE',
  'BUILDKIT_MULTI_PLATFORM',
  'LANG',
  'LC_ALL',
  'JAVA_HOME',
  'JAVA_VERSION',
  'GOPATH',
  'GOLANG_VERSION',
  'NODE_VERSION',
  'YARN_VERSION',
  'PYTHON_VERSION',
  'PIP_VERSION',
  'RUBY_VERSION',
  'GEM_HOME',
  'BUNDLE_PATH',
  'BUNDLE_APP_CONFIG',
  'CATALINA_HOME',
  'NGINX_VERSION',
  'DEBIAN_FRONTEND',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'DOTNET_VERSION',
  'PHP_INI_DIR',
  'PHP_VERSION',
  'MAVEN_HOME',
  'GRADLE_HOME',
  ...BUILDER_PREDEFINED_ARGS,
]);

function perStage(m: DockerfileModel, keyword: string, report: (ins: Instruction) => void): void {
  for (const stage of m.stages) {
    const list = stage.instructions.filter((i) => i.keyword === keyword);
    for (const extra of list.slice(0, -1)) report(extra);
  }
}

function allInstructions(m: DockerfileModel): Instruction[] {
  return m.instructions.flatMap((i) => (i.trigger ? [i, i.trigger] : [i]));
}

function copySources(ins: Instruction): string[] {
  const list = ins.json ?? ins.args.map((a) => a.value);
  return list.slice(0, -1);
}

function copyDest(ins: Instruction): { value: string; span: Instruction['span'] } | undefined {
  if (ins.json)
    return ins.json.length > 0 ? { value: ins.json[ins.json.length - 1] ?? '', span: ins.span } : undefined;
  return ins.args[ins.args.length - 1];
}

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-030': (m, report) => {
    for (const i of m.instructions)
      if (i.keyword === 'MAINTAINER') report({ span: i.keywordSpan, evidence: i.argsText });
  },
  'CER-DF-031': (m, report) => perStage(m, 'CMD', (i) => report({ span: i.span })),
  'CER-DF-032': (m, report) => perStage(m, 'ENTRYPOINT', (i) => report({ span: i.span })),
  'CER-DF-033': (m, report) => perStage(m, 'HEALTHCHECK', (i) => report({ span: i.span })),
  'CER-DF-034': (m, report) => {
    for (const i of m.instructions) {
      if (
        (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') &&
        i.json === null &&
        i.argsText !== '' &&
        !i.argsText.startsWith('[')
      ) {
        report({ span: i.span, evidence: `${i.keyword} ${i.argsText}` });
      }
    }
  },
  'CER-DF-035': (m, report) => {
    for (const i of m.instructions) {
      const dir = i.args[0];
      if (i.keyword !== 'WORKDIR' || !dir) continue;
      const v = dir.value.replace(/^["']|["']$/g, '');
      if (!v.startsWith('/') && !v.startsWith('$') && !/^[A-Za-z]:[\\/]/.test(v))
        report({ span: dir.span, evidence: v });
    }
  },
  'CER-DF-036': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ADD' || i.heredocs.length > 0) continue;
      const sources = copySources(i);
      const local = sources.filter(
        (s) =>
          !/^(https?|git|ssh):\/\//.test(s) &&
          !/^git@/.test(s) &&
          !/\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2|txz)$/.test(s),
      );
      if (local.length > 0 && local.length === sources.length)
        report({ span: i.keywordSpan, evidence: local.join(' ') });
    }
  },
  'CER-DF-037': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
      const dest = copyDest(i);
      if (copySources(i).length > 1 && dest && !dest.value.endsWith('/') && !dest.value.includes('$')) {
        report({ span: dest.span, evidence: dest.value });
      }
    }
  },
  'CER-DF-038': (m, report) => {
    for (const i of m.instructions) {
      const from = i.flags.find((f) => f.name === 'from');
      if (i.keyword !== 'COPY' || !from?.value) continue;
      const own = m.stages[i.stage];
      if (
        own?.from.alias?.value.toLowerCase() === from.value.toLowerCase() ||
        from.value === String(i.stage)
      ) {
        report({ span: from.span, evidence: from.value });
      }
    }
  },
  'CER-DF-039': (m, report) => {
    for (const i of m.instructions) {
      const from = i.flags.find((f) => f.name === 'from');
      if (i.keyword !== 'COPY' || !from?.value || from.value.includes('$')) continue;
      const v = from.value;
      if (/^\d+$/.test(v)) continue;
      const stage = stageByName(m, v);
      if (stage && stage.index < i.stage) continue;
      if (stage && stage.index === i.stage) continue;
      // Not an earlier stage: treated as an image, acceptable only when fully pinned.
      if (!stage && v.includes('@sha256:')) continue;
      report({ span: from.span, evidence: v });
    }
  },
  'CER-DF-040': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'EXPOSE') continue;
      for (const a of i.args) {
        const ports = a.value.split('/')[0]?.split(':').pop()?.split('-') ?? [];
        if (ports.some((p) => /^\d+$/.test(p) && Number(p) > 65535))
          report({ span: a.span, evidence: a.value });
      }
    }
  },
  'CER-DF-041': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'EXPOSE') continue;
      for (const a of i.args)
        if (/^(.*:)?22(\/tcp)?$/i.test(a.value)) report({ span: a.span, evidence: a.value });
    }
  },
  'CER-DF-042': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'EXPOSE') continue;
      for (const a of i.args) {
        const proto = a.value.split('/')[1];
        if (proto && proto !== proto.toLowerCase()) report({ span: a.span, evidence: a.value });
      }
    }
  },
  'CER-DF-043': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'EXPOSE') continue;
      for (const a of i.args)
        if (a.value.includes(':') && !a.value.includes('$')) report({ span: a.span, evidence: a.value });
    }
  },
  'CER-DF-044': (m, report) => {
    const upper = m.instructions.filter((i) => i.written === i.written.toUpperCase()).length;
    const majorityUpper = upper * 2 >= m.instructions.length;
    for (const i of allInstructions(m)) {
      const isUpper = i.written === i.written.toUpperCase();
      const isLower = i.written === i.written.toLowerCase();
      if ((majorityUpper && !isUpper) || (!majorityUpper && !isLower))
        report({ span: i.keywordSpan, evidence: i.written });
    }
  },
  'CER-DF-045': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ENV' && i.keyword !== 'LABEL') continue;
      for (const p of i.pairs)
        if (!p.hasEquals && p.value !== null)
          report({ span: p.nameSpan, evidence: `${i.keyword} ${p.name} ${p.value}` });
    }
  },
  'CER-DF-046': (m, report) => {
    for (const i of m.instructions) {
      const t = i.trigger;
      if (t && ['FROM', 'MAINTAINER', 'ONBUILD'].includes(t.keyword))
        report({ span: t.keywordSpan, evidence: `ONBUILD ${t.keyword}` });
    }
  },
  'CER-DF-047': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ENV') continue;
      const names = i.pairs.map((p) => p.name);
      i.pairs.forEach((p, n) => {
        const earlier = names.slice(0, n);
        const refs = [...(p.value ?? '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((x) => x[1]);
        const self = refs.find((r) => r !== undefined && earlier.includes(r));
        if (self && p.valueSpan) report({ span: p.valueSpan, evidence: `$${self}` });
      });
    }
  },
  'CER-DF-048': (m, report) => {
    for (const stage of m.stages) {
      let workdir = stage.from.parentStage !== null;
      for (const i of stage.instructions) {
        if (i.keyword === 'WORKDIR') workdir = true;
        if (i.keyword !== 'COPY' || workdir) continue;
        const dest = copyDest(i);
        if (
          dest &&
          !dest.value.startsWith('/') &&
          !dest.value.startsWith('$') &&
          !/^[A-Za-z]:/.test(dest.value)
        ) {
          report({ span: dest.span, evidence: dest.value });
        }
      }
    }
  },
  'CER-DF-049': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'LABEL') continue;
      for (const p of i.pairs) {
        if (p.name.includes('$')) continue;
        if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(p.name) || /\.\.|--/.test(p.name))
          report({ span: p.nameSpan, evidence: p.name });
      }
    }
  },
  'CER-DF-050': (m, report) => {
    const stage = finalStage(m);
    if (!stage || stage.instructions.some((i) => i.keyword === 'HEALTHCHECK')) return;
    report({ span: stage.fromInstruction.span, evidence: 'no HEALTHCHECK in the final stage' });
  },
  'CER-DF-051': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      // A cd inside a subshell or an `sh -c` script is local; only top-level chains are flagged.
      if (
        cmd.name === 'cd' &&
        cmd.depth === 0 &&
        !cmd.substituted &&
        !cmd.subshell &&
        cmd.pipeline.length === 1
      ) {
        report({ span: commandSpan(m, cmd), evidence: cmd.words.map((w) => w.value).join(' ') });
      }
    }
  },
  'CER-DF-052': (m, report) => {
    for (const { cmd } of runCommands(m))
      if (POINTLESS.has(cmd.name) && !cmd.substituted)
        report({ span: commandSpan(m, cmd), evidence: cmd.name });
  },
  'CER-DF-053': (m, report) => {
    for (const i of m.instructions) {
      for (let line = i.span.line + 1; line < i.span.endLine; line++) {
        const prev = m.lines.lineText(line - 1);
        if (
          m.lines.lineText(line).trim() === '' &&
          prev.trimEnd().endsWith(m.escape) &&
          i.heredocs.length === 0
        ) {
          report({ span: { line, column: 1, endLine: line, endColumn: 1 } });
        }
      }
    }
  },
  'CER-DF-054': (m, report) => {
    // Parent stages pass their ENV and ARG on; base images' own ENV is unknown here, so the
    // common ones (PATH, JAVA_HOME, NODE_VERSION...) count as defined.
    const definedIn = (index: number, seen = new Set<number>()): Set<string> => {
      const stage = m.stages[index];
      const names = new Set<string>(PREDEFINED);
      if (!stage || seen.has(index)) return names;
      seen.add(index);
      if (stage.from.parentStage !== null)
        for (const n of definedIn(stage.from.parentStage, seen)) names.add(n);
      return names;
    };
    for (const stage of m.stages) {
      const defined = definedIn(stage.index);
      for (const i of stage.instructions) {
        if (i.keyword !== 'FROM' && i.keyword !== 'ONBUILD') {
          for (const v of i.variables)
            if (!defined.has(v.value)) report({ span: v.span, evidence: `$${v.value}` });
        }
        if (i.keyword === 'ENV' || i.keyword === 'ARG') for (const p of i.pairs) defined.add(p.name);
      }
    }
  },
  'CER-DF-055': (m, report) => {
    const curl = [...runCommands(m)].find((x) => x.cmd.name === 'curl');
    const wget = [...runCommands(m)].find((x) => x.cmd.name === 'wget');
    if (curl && wget) {
      const later = curl.cmd.start > wget.cmd.start ? curl : wget;
      report({ span: commandSpan(m, later.cmd), evidence: 'curl and wget' });
    }
  },
  'CER-DF-056': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      if (cmd.name !== 'ln') continue;
      const args = cmd.argv
        .slice(1)
        .map((w) => w.value)
        .filter((v) => !v.startsWith('-'));
      if (args[args.length - 1] === '/bin/sh') report({ span: commandSpan(m, cmd) });
    }
  },
  'CER-DF-057': (m, report) => {
    for (const stage of m.stages) {
      let pipefail = false;
      for (const i of stage.instructions) {
        if (i.keyword === 'SHELL' && i.json) {
          pipefail =
            i.json.some((a, n) => a === 'pipefail' && i.json?.[n - 1] === '-o') ||
            (i.json[0] ?? '').endsWith('pwsh');
        }
        if (i.keyword !== 'RUN' || pipefail || i.nonPosixShell) continue;
        const setsPipefail = i.commands.some(
          (c) => c.name === 'set' && c.argv.some((w) => w.value === 'pipefail'),
        );
        const piped = i.commands.find((c) => c.pipelineIndex === 0 && c.pipeline.length > 1 && c.depth === 0);
        if (piped && !setsPipefail)
          report({ span: commandSpan(m, piped), evidence: piped.pipeline.map((c) => c.name).join(' | ') });
      }
    }
  },
  'CER-DF-058': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      if (cmd.name !== 'wget') continue;
      const quiet = cmd.argv.some((w) =>
        /^(-[a-zA-Z]*q[a-zA-Z]*|-nv|--quiet|--no-verbose|--progress=.*|-o|--output-file(=.*)?)$/.test(
          w.value,
        ),
      );
      if (!quiet) report({ span: commandSpan(m, cmd) });
    }
  },
  'CER-DF-059': (m, report) => {
    for (const i of m.instructions) {
      if ((i.keyword !== 'COPY' && i.keyword !== 'ADD') || i.flags.some((f) => f.name === 'from')) continue;
      const sources = copySources(i);
      const whole = sources.find((s) => s === '.' || s === './' || s === '*');
      if (whole) report({ span: i.span, evidence: `${i.keyword} ${whole}` });
    }
  },
  'CER-DF-060': (m, report) => {
    for (const i of m.instructions) {
      if (!['CMD', 'ENTRYPOINT', 'RUN'].includes(i.keyword) || !i.json) continue;
      const shell = /(^|\/)(ba|da|a|z)?sh$/.test(i.json[0] ?? '');
      if (shell) continue;
      const withVar = i.json.find((a) => /\$\{?[A-Za-z_]/.test(a));
      if (withVar) report({ span: i.span, evidence: withVar });
    }
  },
  'CER-DF-061': (m, report) => {
    for (const i of m.instructions) {
      if (!['CMD', 'ENTRYPOINT', 'RUN', 'SHELL'].includes(i.keyword)) continue;
      if (i.json === null && i.argsText.startsWith('[') && i.argsText.endsWith(']'))
        report({ span: i.span, evidence: i.argsText });
    }
  },
  'CER-DF-062': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ENV') continue;
      for (const p of i.pairs) {
        if (p.name === 'PATH' && p.value !== null && !/\$\{?PATH\b/.test(p.value))
          report({ span: p.nameSpan, evidence: `PATH=${p.value}` });
      }
    }
  },
  'CER-DF-063': (m, report) => {
    // Experimental in BuildKit: only on when the `# check=experimental=...` directive asks for it.
    const enabled = m.directives.some(
      (d) =>
        d.name.toLowerCase() === 'check' &&
        /experimental=(all|[^;]*InvalidDefinitionDescription)/.test(d.value),
    );
    if (!enabled) return;
    for (const i of m.instructions) {
      if (i.keyword !== 'ARG' && i.keyword !== 'FROM') continue;
      const above = m.comments.find((c) => c.span.line === i.span.line - 1);
      if (!above || /^check\s*=|^syntax\s*=/.test(above.text)) continue;
      const name = i.keyword === 'ARG' ? i.pairs[0]?.name : m.stages[i.stage]?.from.alias?.value;
      if (name && !above.text.startsWith(`${name} `) && above.text !== name)
        report({ span: above.span, evidence: above.text });
    }
  },
  'CER-DF-064': (m, report) => {
    for (const stage of m.stages) {
      stage.instructions.forEach((i, n) => {
        if (i.keyword === 'RUN' && stage.instructions[n - 1]?.keyword === 'RUN')
          report({ span: i.keywordSpan });
      });
    }
  },
});

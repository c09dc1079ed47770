import { bindRules, loadRuleMeta } from '../../../rule.js';
import { BUILDER_PREDEFINED_ARGS } from '../../build-args.js';
import type { DockerfileModel } from '../../model.js';

const PREDEFINED_ARGS = new Set(BUILDER_PREDEFINED_ARGS);

const VARIABLE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

function isStageRef(m: DockerfileModel, index: number): boolean {
  return m.stages[index]?.from.parentStage !== null || m.stages[index]?.from.name.toLowerCase() === 'scratch';
}

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-001': (m, report) => {
    m.stages.forEach((s, i) => {
      const image = s.from.image;
      if (!image || isStageRef(m, i) || image.value.includes('$')) return;
      if (s.from.tag === null && s.from.digest === null) report({ span: image.span, evidence: image.value });
    });
  },
  'CER-DF-002': (m, report) => {
    for (const s of m.stages) {
      if (s.from.tag === 'latest' && s.from.image && s.from.digest === null) {
        report({ span: s.from.image.span, evidence: s.from.image.value });
      }
    }
  },
  'CER-DF-003': (m, report) => {
    m.stages.forEach((s, i) => {
      const image = s.from.image;
      if (!image || isStageRef(m, i) || image.value.includes('$') || s.from.digest !== null) return;
      report({ span: image.span, evidence: image.value });
    });
  },
  'CER-DF-004': (m, report) => {
    const seen = new Set<string>();
    for (const s of m.stages) {
      const alias = s.from.alias;
      if (!alias) continue;
      const key = alias.value.toLowerCase();
      if (seen.has(key)) report({ span: alias.span, evidence: alias.value });
      seen.add(key);
    }
  },
  'CER-DF-005': (m, report) => {
    for (const s of m.stages) {
      const p = s.from.platform;
      if (p?.value && !p.value.includes('$')) report({ span: p.span, evidence: `--platform=${p.value}` });
    }
  },
  'CER-DF-006': (m, report) => {
    for (const s of m.stages) {
      const p = s.from.platform;
      if (p?.value && /^\$\{?TARGETPLATFORM\}?$/.test(p.value)) report({ span: p.span });
    }
  },
  'CER-DF-007': (m, report) => {
    for (const s of m.stages) {
      const a = s.from.alias;
      if (a && a.value !== a.value.toLowerCase()) report({ span: a.span, evidence: a.value });
    }
  },
  'CER-DF-008': (m, report) => {
    for (const s of m.stages) {
      const as = s.from.asKeyword;
      if (!as) continue;
      const fromUpper = s.fromInstruction.written === s.fromInstruction.written.toUpperCase();
      const asUpper = as.value === as.value.toUpperCase();
      if (fromUpper !== asUpper)
        report({ span: as.span, evidence: `${s.fromInstruction.written} ... ${as.value}` });
    }
  },
  'CER-DF-009': (m, report) => {
    for (const s of m.stages) {
      const a = s.from.alias;
      if (a && ['scratch', 'context'].includes(a.value.toLowerCase()))
        report({ span: a.span, evidence: a.value });
    }
  },
  'CER-DF-010': (m, report) => {
    const noDefault = new Set(
      m.globalArgs.flatMap((a) =>
        a.pairs.filter((p) => p.value === null || p.value === '').map((p) => p.name),
      ),
    );
    for (const s of m.stages) {
      const image = s.from.image;
      if (!image) continue;
      for (const match of image.value.matchAll(VARIABLE)) {
        const name = match[1] ?? '';
        // ${VAR:-default} supplies its own default.
        if (noDefault.has(name) && !image.value.includes(`\${${name}:-`))
          report({ span: image.span, evidence: name });
      }
    }
  },
  'CER-DF-011': (m, report) => {
    const declared = new Set(m.globalArgs.flatMap((a) => a.pairs.map((p) => p.name)));
    for (const s of m.stages) {
      const values = [
        s.from.image,
        s.from.platform ? { value: s.from.platform.value ?? '', span: s.from.platform.span } : null,
      ];
      for (const v of values) {
        if (!v) continue;
        for (const match of v.value.matchAll(VARIABLE)) {
          const name = match[1] ?? '';
          if (!declared.has(name) && !PREDEFINED_ARGS.has(name)) report({ span: v.span, evidence: name });
        }
      }
    }
  },
  'CER-DF-012': (m, report) => {
    const used = new Set<number>();
    for (const s of m.stages) if (s.from.parentStage !== null) used.add(s.from.parentStage);
    for (const ins of m.instructions) {
      const refs = [
        ins.flags.find((f) => f.name === 'from')?.value,
        ...ins.flags.filter((f) => f.name === 'mount').map((f) => f.options.from),
      ];
      for (const ref of refs) {
        if (!ref) continue;
        const byName = m.stages.find((s) => s.from.alias?.value.toLowerCase() === ref.toLowerCase());
        if (byName) used.add(byName.index);
        else if (/^\d+$/.test(ref)) used.add(Number(ref));
      }
    }
    for (const s of m.stages.slice(0, -1)) {
      if (!used.has(s.index))
        report({ span: s.fromInstruction.span, evidence: s.from.alias?.value ?? `stage ${s.index}` });
    }
  },
});

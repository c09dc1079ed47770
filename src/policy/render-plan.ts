import type { FixPlan, PlanAction } from './plan.js';

function imagesCell(action: PlanAction, max = 3): string {
  const shown = action.images.slice(0, max).join(', ');
  return action.images.length > max ? `${shown} +${action.images.length - max}` : shown;
}

function share(action: PlanAction, plan: FixPlan): string {
  return plan.totalRisk === 0 ? '0%' : `${((action.risk / plan.totalRisk) * 100).toFixed(1)}%`;
}

function summary(plan: FixPlan, top: number): string {
  const removed = plan.actions.slice(0, top).reduce((sum, a) => sum + a.risk, 0);
  return `${plan.scans} scans, ${plan.actions.length} actions; the top ${Math.min(top, plan.actions.length)} remove ${removed.toFixed(2)} of ${plan.totalRisk.toFixed(2)} risk points; ${plan.unfixable.findings} findings (${plan.unfixable.risk.toFixed(2)} points) have no fix yet`;
}

export function renderPlanTable(plan: FixPlan, top: number): string {
  const header = ['#', 'ACTION', 'RISK', 'SHARE', 'IMAGES', 'FINDINGS', 'WHERE'];
  const rows = plan.actions
    .slice(0, top)
    .map((a) => [
      String(a.rank),
      a.title,
      a.risk.toFixed(2),
      share(a, plan),
      String(a.images.length),
      String(a.findings),
      imagesCell(a),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[summary(plan, top), line(header), ...rows.map(line)].join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderPlanMarkdown(plan: FixPlan, top: number): string {
  const lines = [
    '# Fix plan',
    '',
    summary(plan, top),
    '',
    '| # | Action | Risk removed | Share | Images | Findings | Vulnerabilities |',
    '|---:|---|---:|---:|---:|---:|---|',
  ];
  for (const a of plan.actions.slice(0, top)) {
    const vulns =
      a.vulnerabilities.slice(0, 5).join(', ') +
      (a.vulnerabilities.length > 5 ? ` +${a.vulnerabilities.length - 5}` : '');
    lines.push(
      `| ${a.rank} | ${escapeCell(a.title)} | ${a.risk.toFixed(2)} | ${share(a, plan)} | ${a.images.length} | ${a.findings} | ${escapeCell(vulns)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderPlanJson(plan: FixPlan, top: number): string {
  return `${JSON.stringify({ ...plan, actions: plan.actions.slice(0, top) }, null, 2)}\n`;
}

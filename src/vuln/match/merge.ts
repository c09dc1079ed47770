/**
 * Advisories about one flaw published by several databases (GHSA, PYSEC, GO, a distribution's
 * own) become one finding. Two advisories belong together when one names the other, or both name
 * the same ID, among their aliases; an advisory that tracks exactly one upstream CVE (Debian's
 * and Ubuntu's per-CVE records) counts that CVE as an alias. Advisories that bundle several
 * upstream CVEs (a DSA) stay apart rather than glue unrelated CVEs together.
 */
export interface AliasedAdvisory {
  id: string;
  aliases: readonly string[];
  upstream?: readonly string[];
}

export function groupByAlias<T extends AliasedAdvisory>(advisories: readonly T[]): T[][] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    // Path compression keeps later finds short.
    let node = id;
    while (node !== root) {
      const next = parent.get(node) ?? root;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const add = (id: string) => {
    if (!parent.has(id)) parent.set(id, id);
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const advisory of advisories) {
    add(advisory.id);
    for (const alias of namesOf(advisory)) {
      add(alias);
      union(advisory.id, alias);
    }
  }
  const groups = new Map<string, T[]>();
  for (const advisory of advisories) {
    const root = find(advisory.id);
    const group = groups.get(root) ?? [];
    group.push(advisory);
    groups.set(root, group);
  }
  return [...groups.values()];
}

/** The advisory's other names: its aliases, and its upstream CVE when it tracks exactly one. */
export function namesOf(advisory: AliasedAdvisory): string[] {
  const names = [...advisory.aliases];
  const cves = (advisory.upstream ?? []).filter((id) => id.startsWith('CVE-'));
  if (cves.length === 1 && cves[0] !== undefined) names.push(cves[0]);
  return names.filter((name) => name !== advisory.id);
}

/** Order of preference for the ID a merged finding is reported under: CVE, then GHSA, then the rest. */
function preference(id: string): number {
  if (id.startsWith('CVE-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  return 2;
}

/** The finding's ID and its other names, all sorted. */
export function identify(group: readonly AliasedAdvisory[]): { id: string; aliases: string[] } {
  const all = new Set<string>();
  for (const advisory of group) {
    all.add(advisory.id);
    for (const name of namesOf(advisory)) all.add(name);
  }
  const sorted = [...all].sort((a, b) => preference(a) - preference(b) || compareIds(a, b));
  const [id = '', ...aliases] = sorted;
  return { id, aliases: aliases.sort(compareIds) };
}

/** CVE-2021-9999 before CVE-2021-10000: numbers inside IDs compare as numbers. */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

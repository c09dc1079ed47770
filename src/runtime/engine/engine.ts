import type { RuntimeEvent } from '../event/types.js';
import type { Filter } from './compile.js';
import { formatIso8601, formatTime } from './fields/time.js';
import type { LoadedRule } from './loader/build.js';
import type { RuleSet } from './loader/load.js';
import { type OutputTemplate, type OutputValue, outputValue, renderOutput } from './output.js';
import { type Priority, priorityDisplay, priorityRank } from './priority.js';

/**
 * A rule match, shaped like Falco's JSON alert so existing sinks read it unchanged. Serialize
 * with {@link alertToJson}: `output_fields` holds nanosecond times as bigints.
 */
export interface Alert {
  /** Event time, ISO 8601 UTC with nanoseconds. */
  readonly time: string;
  readonly rule: string;
  /** Falco's spelling: `Warning`, `Critical`, `Informational`... */
  readonly priority: string;
  /** `HH:MM:SS.nnnnnnnnn: Priority message`, as Falco prints it. */
  readonly output: string;
  readonly output_fields: Readonly<Record<string, OutputValue>>;
  readonly tags: readonly string[];
  readonly source: string;
  readonly hostname: string;
}

export interface EngineOptions {
  /**
   * Falco stops at the first matching rule (in definition order) by default; `all` reports
   * every match.
   */
  readonly ruleMatching?: 'first' | 'all';
  /** Rules less severe than this are not evaluated (default: all). */
  readonly minPriority?: Priority;
  /** Rules with any of these tags are not evaluated. */
  readonly disabledTags?: readonly string[];
  /** Names of rules to skip, in addition to those disabled in the files. */
  readonly disabledRules?: readonly string[];
  /**
   * Called when evaluating a rule throws (an event that breaks the model's contract); the rule
   * counts as not matching and evaluation goes on with the next rule.
   */
  readonly onError?: (error: unknown, rule: string, event: RuntimeEvent) => void;
}

/** Counters since the engine was created. */
export interface EngineStats {
  readonly events: number;
  readonly alerts: number;
  readonly errors: number;
  readonly alertsByRule: ReadonlyMap<string, number>;
}

interface ActiveRule {
  readonly rule: LoadedRule;
  readonly filter: Filter;
  readonly output: OutputTemplate;
  readonly priority: string;
}

const NO_ALERTS: readonly Alert[] = Object.freeze([]);
/** Distinct event types remembered in the candidate cache; a stream of random types cannot grow it further. */
const MAX_CACHED_TYPES = 4096;

/**
 * Evaluates events against a rule set. Rules are indexed by the event types their conditions
 * can match, so an event is only tested against the few rules that could fire for its type.
 */
export class Engine {
  private readonly active: readonly ActiveRule[];
  private readonly byType = new Map<string, readonly ActiveRule[]>();
  private readonly firstOnly: boolean;
  private readonly hostname: string;
  private readonly onError: EngineOptions['onError'];
  private events = 0;
  private alertCount = 0;
  private errors = 0;
  private readonly alertsByRule = new Map<string, number>();

  constructor(ruleSet: RuleSet, options: EngineOptions = {}) {
    const maxRank =
      options.minPriority === undefined ? Number.POSITIVE_INFINITY : priorityRank(options.minPriority);
    const tags = new Set(options.disabledTags ?? []);
    const names = new Set(options.disabledRules ?? []);
    this.active = ruleSet.rules
      .filter(
        (r) =>
          r.enabled &&
          priorityRank(r.priority) <= maxRank &&
          !names.has(r.name) &&
          !r.tags.some((t) => tags.has(t)),
      )
      .map((rule) => ({
        rule,
        filter: rule.filter,
        output: rule.output,
        priority: priorityDisplay(rule.priority),
      }));
    this.firstOnly = (options.ruleMatching ?? 'first') === 'first';
    this.onError = options.onError;
    this.hostname = ruleSet.hostname;
  }

  /** Names of the rules this engine evaluates. */
  get ruleNames(): readonly string[] {
    return this.active.map((a) => a.rule.name);
  }

  /** Names of the rules evaluated for an event type, in definition order. */
  rulesFor(type: string): readonly string[] {
    return this.candidates(type).map((a) => a.rule.name);
  }

  private candidates(type: string): readonly ActiveRule[] {
    const cached = this.byType.get(type);
    if (cached !== undefined) return cached;
    const list = this.active.filter((a) => a.rule.eventTypes.has(type));
    if (this.byType.size < MAX_CACHED_TYPES) this.byType.set(type, list);
    return list;
  }

  /** The alerts an event raises; the same frozen empty array when none. */
  process(event: RuntimeEvent): readonly Alert[] {
    this.events++;
    const candidates = this.candidates(event.type);
    let alerts: Alert[] | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const a = candidates[i] as ActiveRule;
      let alert: Alert;
      try {
        if (!a.filter(event)) continue;
        alert = this.alert(a, event);
      } catch (err) {
        this.errors++;
        this.onError?.(err, a.rule.name, event);
        continue;
      }
      this.alertCount++;
      this.alertsByRule.set(a.rule.name, (this.alertsByRule.get(a.rule.name) ?? 0) + 1);
      if (this.firstOnly) return [alert];
      alerts ??= [];
      alerts.push(alert);
    }
    return alerts ?? NO_ALERTS;
  }

  stats(): EngineStats {
    return {
      events: this.events,
      alerts: this.alertCount,
      errors: this.errors,
      alertsByRule: new Map(this.alertsByRule),
    };
  }

  private alert(a: ActiveRule, e: RuntimeEvent): Alert {
    const fields: Record<string, OutputValue> = { 'evt.time': e.ts };
    for (const f of a.output.fields) fields[f.key] = outputValue(f.get(e));
    return {
      time: formatIso8601(e.ts),
      rule: a.rule.name,
      priority: a.priority,
      output: `${formatTime(e.ts)}: ${a.priority} ${renderOutput(a.output, e)}`,
      output_fields: fields,
      tags: a.rule.tags,
      source: a.rule.source,
      hostname: this.hostname,
    };
  }
}

/**
 * One line of Falco-compatible JSON: keys in alphabetical order as Falco writes them, and
 * nanosecond timestamps as exact integer literals (a JavaScript number cannot hold them).
 */
export function alertToJson(alert: Alert): string {
  const fields = Object.keys(alert.output_fields)
    .sort()
    .map((k) => {
      const v = alert.output_fields[k];
      return `${JSON.stringify(k)}:${typeof v === 'bigint' ? v.toString() : JSON.stringify(v ?? null)}`;
    })
    .join(',');
  return (
    `{"hostname":${JSON.stringify(alert.hostname)},"output":${JSON.stringify(alert.output)},` +
    `"output_fields":{${fields}},"priority":${JSON.stringify(alert.priority)},"rule":${JSON.stringify(alert.rule)},` +
    `"source":${JSON.stringify(alert.source)},"tags":${JSON.stringify(alert.tags)},"time":${JSON.stringify(alert.time)}}`
  );
}

import { ruleGuidance } from './rule-book';

export type Severity = 'error' | 'warning';

/**
 * One line of the validation report. `fix` is written for the LA officer who uploaded the
 * file, not for a developer.
 */
export interface Problem {
  readonly file: string;
  /** 1-based line in the file (the header is line 1); null for whole-file problems. */
  readonly line: number | null;
  readonly column: string | null;
  readonly value: string | null;
  /** Stable code, e.g. `non_numeric_value` or an EES screener rule such as `col_name_duplicate`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
}

export interface ProblemInput {
  readonly line?: number | null;
  readonly column?: string | null;
  readonly value?: string | null;
  readonly message: string;
  /** Overrides the rule book, for rules whose severity depends on context. */
  readonly severity?: Severity;
  readonly fix?: string;
  /** Report against a different file than the log's default (the `.meta.csv` of a pair). */
  readonly file?: string;
}

/** Where problems are reported; `ProblemLog.forFile` gives one for a second file of an upload. */
export interface ProblemSink {
  add(rule: string, input: ProblemInput): void;
}

export interface RuleCount {
  readonly rule: string;
  readonly severity: Severity;
  readonly count: number;
}

/**
 * Collects problems for one file. Counts are always exact; past `maxPerRule` a rule's problems
 * are counted but not kept, so a file with 20,000 identical errors keeps the report (and memory)
 * small.
 */
export class ProblemLog implements ProblemSink {
  private readonly counts = new Map<string, { severity: Severity; count: number }>();
  private readonly pending: Problem[] = [];

  constructor(
    readonly file: string,
    private readonly maxPerRule = 200,
  ) {}

  add(rule: string, input: ProblemInput): void {
    const guidance = ruleGuidance(rule);
    const severity = input.severity ?? guidance.severity;
    const key = `${rule}\u0000${severity}`;
    const entry = this.counts.get(key) ?? { severity, count: 0 };
    entry.count += 1;
    this.counts.set(key, entry);
    if (entry.count > this.maxPerRule) return;
    this.pending.push({
      file: input.file ?? this.file,
      line: input.line ?? null,
      column: input.column ?? null,
      value: input.value ?? null,
      rule,
      severity,
      message: input.message,
      fix: input.fix ?? guidance.fix,
    });
  }

  /** Reports problems against another file of the same upload (the `.meta.csv` of a pair). */
  forFile(file: string): ProblemSink {
    return { add: (rule, input) => this.add(rule, { ...input, file }) };
  }

  /** Problems added since the last call, in order; the import stream yields them as it goes. */
  drain(): Problem[] {
    return this.pending.splice(0, this.pending.length);
  }

  get errorCount(): number {
    return this.total('error');
  }

  get warningCount(): number {
    return this.total('warning');
  }

  hasRule(rule: string): boolean {
    for (const key of this.counts.keys()) if (key.startsWith(`${rule}\u0000`)) return true;
    return false;
  }

  countsByRule(): RuleCount[] {
    return [...this.counts.entries()]
      .map(([key, v]) => ({ rule: key.split('\u0000')[0] ?? key, ...v }))
      .sort((a, b) => a.rule.localeCompare(b.rule) || a.severity.localeCompare(b.severity));
  }

  private total(severity: Severity): number {
    let n = 0;
    for (const v of this.counts.values()) if (v.severity === severity) n += v.count;
    return n;
  }
}

/** Counts by rule for problems gathered elsewhere (e.g. a whole upload of several files). */
export function countProblemsByRule(problems: Iterable<Problem>): RuleCount[] {
  const counts = new Map<string, RuleCount>();
  for (const p of problems) {
    const key = `${p.rule}\u0000${p.severity}`;
    const c = counts.get(key);
    counts.set(key, { rule: p.rule, severity: p.severity, count: (c?.count ?? 0) + 1 });
  }
  return [...counts.values()].sort(
    (a, b) => a.rule.localeCompare(b.rule) || a.severity.localeCompare(b.severity),
  );
}

/**
 * KQL's unquoted wildcard (`host*`, `*web*`, `a*b*c`) matched in time linear in the value: the
 * literal parts between the stars are found left to right, each at its leftmost place (which is
 * right for `*`-only patterns), with a KMP search. A regular expression (`^a.*a.*b$`) backtracks:
 * an attacker-controlled alert field of a megabyte would hold a worker for minutes.
 */
export class Glob {
  /** the literal parts between the stars; a pattern with n stars has n + 1 (possibly empty) parts */
  readonly parts: readonly string[];
  private readonly failures: Int32Array[];

  constructor(parts: readonly string[]) {
    if (parts.length < 2) throw new Error('a glob has at least one star');
    this.parts = parts;
    this.failures = parts.map(failureTable);
  }

  matches(text: string): boolean {
    const parts = this.parts;
    const first = parts[0];
    const last = parts[parts.length - 1];
    if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
    let from = first.length;
    const end = text.length - last.length;
    for (let i = 1; i < parts.length - 1; i++) {
      if (parts[i] === '') continue;
      const at = this.find(i, text, from, end);
      if (at < 0) return false;
      from = at + parts[i].length;
    }
    return true;
  }

  /** The first index ≥ from where part `i` lies wholly before `end`, or -1 (Knuth–Morris–Pratt). */
  private find(i: number, text: string, from: number, end: number): number {
    const part = this.parts[i];
    const failure = this.failures[i];
    let k = 0;
    for (let j = from; j < end; j++) {
      while (k > 0 && text.charCodeAt(j) !== part.charCodeAt(k)) k = failure[k - 1];
      if (text.charCodeAt(j) === part.charCodeAt(k)) k++;
      if (k === part.length) return j - k + 1;
    }
    return -1;
  }
}

/** failure[k] = the length of the longest proper prefix of part[0..k] that is also its suffix. */
function failureTable(part: string): Int32Array {
  const failure = new Int32Array(part.length);
  let k = 0;
  for (let j = 1; j < part.length; j++) {
    while (k > 0 && part.charCodeAt(j) !== part.charCodeAt(k)) k = failure[k - 1];
    if (part.charCodeAt(j) === part.charCodeAt(k)) k++;
    failure[j] = k;
  }
  return failure;
}

/** stepReferences: the step names a template reads as `steps.X`, `steps['X']` or `steps["X"]`. */
import { wholeValueRange } from './compile';
import { scanTemplate } from './scan';

// A quoted string (skipped) or a reference not preceded by an identifier character, `.` or `]`.
// A bracketed name may hold spaces and other characters (`steps['open ticket']`), not quotes or brackets.
const REFERENCE = /(["'])(?:\\[\s\S]|(?!\1)[^\\])*\1|(?<![\w.\-\]])steps(?:\.([A-Za-z0-9_-]+)|\[\s*(["'])((?:(?!\3)[^\\[\]])+)\3\s*\])/g;

function collect(code: string, into: Set<string>): void {
  for (const m of code.matchAll(REFERENCE)) {
    const name = m[2] ?? m[4];
    if (name) into.add(name);
  }
}

/** The distinct step names read in the `{{ }}`/`{% %}` parts (or the `${{ }}` expression), in order of appearance. */
export function stepReferences(text: string): string[] {
  const names = new Set<string>();
  if (!text.includes('{{') && !text.includes('{%')) return [];
  const whole = wholeValueRange(text);
  if (whole) {
    collect(text.slice(whole[0], whole[1]), names);
    return [...names];
  }
  for (const seg of scanTemplate(text)) {
    if (seg.type === 'text' || seg.comment) continue;
    collect(text.slice(seg.contentStart, seg.contentEnd), names);
  }
  return [...names];
}

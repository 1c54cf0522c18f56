/**
 * Markdown escaping of the values interpolated into a wait's message (docs/workflows.md "Writing the
 * message"). Alert fields are attacker-controlled: a value must read as text, never add a link, an
 * image, raw HTML, a heading, a list, a quote, a table or a rule to the author's Markdown.
 *
 * The value is escaped with CommonMark's backslash escapes (a backslash before ASCII punctuation shows
 * the punctuation itself), and only where a character could start Markdown, so that ordinary values —
 * `srv-web-01`, `jdoe`, `svc_backup`, `10.1.2.3`, `C:\Windows\System32\cmd.exe`, `jdoe@example.com` —
 * stay exactly as they are. The rules, in order of the value's characters:
 *
 * - a line break (`\r\n`, `\r`, `\n`) becomes one space: a value never starts a new line, so it
 *   cannot start a block (heading, quote, list, rule, fence, table row) of its own;
 * - `\` is doubled when it is followed by ASCII punctuation; elsewhere (`C:\Windows`, or at the end
 *   of the value) it is left as it is: Markdown shows it, and a trailing one can at most make the
 *   author's next character literal;
 * - `[ ] < * ~ |` always get a backslash (links, images, task boxes, raw HTML and `<autolinks>`,
 *   emphasis, strike-through, tables);
 * - a backtick becomes the character reference `&#96;`: Markdown shows a backtick, and it can
 *   neither open a code span nor end one (a backslash would not do: a backslash-escaped backtick
 *   still ends a code span opened before it, such as the author's own around the value);
 * - `_` gets one unless it sits between two letters or digits of the value (`svc_backup`), where
 *   CommonMark never reads it as emphasis;
 * - `&` gets one when it starts an entity (`&lt;`, `&#91;`), which is then shown as typed;
 * - the `:` of `http://`, `https://`, `ftp://` and the `.` of `www.` get one (any case), so that a
 *   URL in a value is not turned into a link by GFM's autolinks (an email address, which GFM links to
 *   itself with `mailto:`, is left as it is);
 * - at the value's first character that is not a space or a tab (where the value may start a line
 *   of the message): `>`; `#` (up to six, then a space or the end); `-` or `+` then a space, a tab
 *   or the end; `-` then `-` or `:`; `=` then `=`, a space, a tab or the end; `:` then `-`; and the
 *   `.` or `)` of `1.` / `1)` then a space, a tab or the end — a quote, a heading, a list item, a
 *   rule, a setext underline or a table delimiter row otherwise.
 *
 * Nothing else changes: `!` needs no escape (an image needs `![`, and `[` is escaped), nor do `( )`
 * (a link needs `]` first), `"`, `'`, `{ }`, `@`, `$`.
 *
 * The rules make a value text wherever it lands, without parsing the author's Markdown around it. In
 * a code span or a fenced block the author wrote around a value Markdown reads no escapes: there a
 * backslash added here is shown as is, and a backtick as `&#96;`.
 */

/** ASCII punctuation: the characters CommonMark lets a backslash escape. */
const PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;
const ALWAYS = new Set(['[', ']', '<', '*', '~', '|']);
const ENTITY = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/;
const URL_SCHEME = /(?:https?|ftp)$/i;

/** Where the value's first character would start a block, the index to escape (else -1). */
function leadEscape(text: string, lead: number): number {
  const rest = text.slice(lead);
  if (/^>/.test(rest)) return lead;
  if (/^#{1,6}(?:[ \t]|$)/.test(rest)) return lead;
  if (/^[-+](?:[ \t]|$)/.test(rest) || /^-[-:]/.test(rest)) return lead;
  if (/^=(?:[= \t]|$)/.test(rest)) return lead;
  if (/^:-/.test(rest)) return lead;
  const ordered = /^\d{1,9}[.)](?:[ \t]|$)/.exec(rest);
  if (ordered) return lead + ordered[0].search(/[.)]/);
  return -1;
}

/** The text of one interpolated value, escaped as described above. */
export function escapeMarkdown(value: string): string {
  const text = value.replace(/\r\n|\r|\n/g, ' ');
  const lead = text.search(/[^ \t]/);
  const atLead = lead < 0 ? -1 : leadEscape(text, lead);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '`') {
      out += '&#96;';
      continue;
    }
    const next = text[i + 1];
    let escape = i === atLead || ALWAYS.has(c);
    if (c === '\\') escape = next !== undefined && PUNCTUATION.test(next);
    else if (c === '_') escape = !(i > 0 && WORD.test(text[i - 1]) && next !== undefined && WORD.test(next));
    else if (c === '&') escape ||= ENTITY.test(text.slice(i, i + 40));
    else if (c === ':') escape ||= text.startsWith('//', i + 1) && URL_SCHEME.test(text.slice(Math.max(0, i - 5), i));
    else if (c === '.') escape ||= /www$/i.test(text.slice(Math.max(0, i - 3), i));
    out += escape ? `\\${c}` : c;
  }
  return out;
}

/**
 * The text an escaped message stands for, for channels that show plain text (an e-mail's text part,
 * Slack): each backslash escape becomes its character and `&#96;` a backtick.
 */
export function unescapeMarkdown(text: string): string {
  // One pass: an escaped "&#96;" typed in an alert (`\&#96;`) stays "&#96;".
  return text.replace(/\\([!-/:-@[-`{-~])|&#96;/g, (_all, c: string | undefined) => c ?? '`');
}

/** Text for HTML (a page or an e-mail part): `& < > " '` as character references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

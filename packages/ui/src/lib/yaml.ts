/** A small YAML tokenizer for display: keys, strings, numbers, booleans, comments, block scalars, templates. */

export type TokenKind = 'key' | 'string' | 'number' | 'bool' | 'comment' | 'punct' | 'template' | 'block' | 'anchor' | 'plain';
export interface Token {
  kind: TokenKind;
  text: string;
}

const SCALAR_BOOL = /^(true|false|null|~|yes|no|on|off)$/i;
const SCALAR_NUM = /^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|\.inf|\.nan)$/;

/** Splits `text` around {{ }} / ${{ }} / {% %} templates. */
function withTemplates(text: string, kind: TokenKind): Token[] {
  const out: Token[] = [];
  const re = /\$?\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ kind, text: text.slice(last, m.index) });
    out.push({ kind: 'template', text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind, text: text.slice(last) });
  return out;
}

/** Finds a comment start (` #` outside quotes) in a value. */
function splitComment(value: string): [string, string] {
  let quote: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[{,:]/.test(value[i - 1])) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(value[i - 1]))) {
      return [value.slice(0, i), value.slice(i)];
    }
  }
  return [value, ''];
}

function valueTokens(value: string): Token[] {
  const [body, comment] = splitComment(value);
  const out: Token[] = [];
  const trimmed = body.trimEnd();
  const trailing = body.slice(trimmed.length);
  const lead = trimmed.length - trimmed.trimStart().length;
  if (lead) out.push({ kind: 'plain', text: trimmed.slice(0, lead) });
  const v = trimmed.trimStart();
  if (v === '') {
    /* nothing */
  } else if (/^[|>][-+0-9]*$/.test(v)) out.push({ kind: 'punct', text: v });
  else if (v.startsWith('"') || v.startsWith("'")) out.push(...withTemplates(v, 'string'));
  else if (SCALAR_BOOL.test(v)) out.push({ kind: 'bool', text: v });
  else if (SCALAR_NUM.test(v)) out.push({ kind: 'number', text: v });
  else if (/^[&*][\w-]+$/.test(v)) out.push({ kind: 'anchor', text: v });
  else if (v.startsWith('[') || v.startsWith('{')) out.push(...flow(v));
  else out.push(...withTemplates(v, 'string'));
  if (trailing) out.push({ kind: 'plain', text: trailing });
  if (comment) out.push({ kind: 'comment', text: comment });
  return out;
}

/** Flow collections: punctuation, keys and scalars. */
function flow(v: string): Token[] {
  const out: Token[] = [];
  const re = /("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[[\]{},:]|\s+|[^[\]{},:\s"']+(?:\s+[^[\]{},:\s"']+)*)/g;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const t = m[0];
    if (/^[[\]{},:]$/.test(t)) out.push({ kind: 'punct', text: t });
    else if (/^\s+$/.test(t)) out.push({ kind: 'plain', text: t });
    else {
      const next = v.slice(re.lastIndex).match(/^\s*:/);
      if (next) out.push({ kind: 'key', text: t });
      else if (SCALAR_BOOL.test(t)) out.push({ kind: 'bool', text: t });
      else if (SCALAR_NUM.test(t)) out.push({ kind: 'number', text: t });
      else out.push(...withTemplates(t, 'string'));
    }
  }
  return out;
}

export function tokenizeYaml(source: string): Token[][] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const out: Token[][] = [];
  let blockIndent = -1; // inside a block scalar: lines indented more than this are text
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) {
        out.push(line ? withTemplates(line, 'block') : []);
        continue;
      }
      blockIndent = -1;
    }
    const tokens: Token[] = [];
    let rest = line;
    if (indent) tokens.push({ kind: 'plain', text: line.slice(0, indent) });
    rest = line.slice(indent);
    let itemIndent = indent;
    while (/^-(\s|$)/.test(rest)) {
      const dash = rest.match(/^-\s*/)![0];
      tokens.push({ kind: 'punct', text: '-' });
      if (dash.length > 1) tokens.push({ kind: 'plain', text: dash.slice(1) });
      rest = rest.slice(dash.length);
      itemIndent += dash.length;
    }
    if (rest.startsWith('#')) {
      tokens.push({ kind: 'comment', text: rest });
    } else if (rest === '---' || rest === '...') {
      tokens.push({ kind: 'punct', text: rest });
    } else {
      const km = rest.match(/^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#"'[{][^:#]*?|[^\s#"'[{])(\s*)(:)(?=\s|$)/);
      if (km) {
        tokens.push({ kind: 'key', text: km[1] });
        if (km[2]) tokens.push({ kind: 'plain', text: km[2] });
        tokens.push({ kind: 'punct', text: ':' });
        const value = rest.slice(km[0].length);
        tokens.push(...valueTokens(value));
        if (/^\s*[|>][-+0-9]*\s*(#.*)?$/.test(value)) blockIndent = itemIndent;
      } else {
        tokens.push(...valueTokens(rest));
        if (/^[|>][-+0-9]*\s*$/.test(rest.trim())) blockIndent = indent;
      }
    }
    out.push(tokens);
  }
  return out;
}

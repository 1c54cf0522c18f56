/**
 * YAML text → plain data, with a map back to source positions.
 *
 * We parse with the `yaml` package (parseDocument + LineCounter) instead of js-yaml because js-yaml
 * exposes no node positions: every Problem must carry the line and column of the offending node
 * (a key for unknown keys, a value for bad values, the mapping for missing keys), and only a
 * document model with ranges gives us that.
 */
import { CST, Document, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Node, parseDocument, Scalar } from 'yaml';
import { formatPath, Path, Segment } from './path';
import type { Problem } from './types';

export interface Position {
  line: number;
  column: number;
}

/** Where to point for a path: the key (unknown keys), the value (bad values) or the node itself. */
export type Target = 'key' | 'value';

export class YamlSource {
  constructor(
    readonly text: string,
    readonly doc: Document.Parsed,
    readonly lineCounter: LineCounter,
  ) {}

  /** 1-based line and column of a character offset. */
  positionOf(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line, column: col };
  }

  /** The YAML node at `path` (aliases resolved), or undefined. */
  nodeAt(path: Path): Node | undefined {
    return this.walk(path).node;
  }

  /** The position of `path`: its key, or its value (a key without a value points at the key). */
  position(path: Path, target: Target = 'value'): Position {
    const found = this.walk(path);
    let offset: number | undefined;
    if (found.complete) {
      if (target === 'key' && found.keyNode?.range) offset = found.keyNode.range[0];
      else if (found.node?.range) offset = found.node.range[0];
      else if (found.keyNode?.range) offset = found.keyNode.range[0];
    }
    if (offset === undefined) offset = found.lastOffset;
    return this.positionOf(offset);
  }

  /** Position of the character `offset` inside the string value at `path` (templates, conditions). */
  positionInValue(path: Path, offset: number): Position {
    const node = this.nodeAt(path);
    if (!node || !isScalar(node) || typeof node.value !== 'string' || !node.range) return this.position(path);
    const start = node.range[0];
    const src = this.text.slice(start, node.range[1]);
    const value = node.value;
    // Align the value's characters with the source text: escapes, quotes and indentation are skipped.
    let vi = 0;
    for (let si = 0; si < src.length && vi <= offset; si++) {
      if (src[si] !== value[vi]) continue;
      if (vi === offset) return this.positionOf(start + si);
      vi++;
    }
    return vi === offset ? this.positionOf(start + src.length) : this.positionOf(start);
  }

  private walk(path: Path): { node?: Node; keyNode?: Node; complete: boolean; lastOffset: number } {
    let node: Node | undefined = (this.doc.contents as Node | null) ?? undefined;
    let keyNode: Node | undefined;
    let lastOffset = node?.range?.[0] ?? 0;
    for (const seg of path) {
      node = this.resolve(node);
      if (!node) return { complete: false, lastOffset };
      if (node.range) lastOffset = node.range[0];
      let next: Node | undefined;
      let nextKey: Node | undefined;
      let found = false;
      if (isMap(node)) {
        for (const pair of node.items) {
          const k = pair.key as Node | null;
          const kv = isScalar(k) ? k.value : k;
          if (String(kv) === String(seg)) {
            next = (pair.value as Node | null) ?? undefined;
            nextKey = k ?? undefined;
            found = true;
            if (nextKey?.range) lastOffset = nextKey.range[0];
            // last duplicate wins, as in the parsed data
          }
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined;
        if (item !== undefined) {
          next = item ?? undefined;
          found = true;
        }
      }
      if (!found) return { complete: false, lastOffset };
      node = next;
      keyNode = nextKey;
    }
    return { node: this.resolve(node), keyNode, complete: true, lastOffset };
  }

  private resolve(node: Node | undefined): Node | undefined {
    if (node && isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? node;
    return node;
  }
}

export interface ParsedYaml {
  /** The plain data (undefined when the text is not valid YAML) */
  data: unknown;
  source: YamlSource;
  errors: Problem[];
  warnings: Problem[];
}

/** How deep a workflow's YAML may nest collections (block and flow together). */
export const MAX_YAML_DEPTH = 64;
/**
 * How many lexical tokens (scalars, indicators, spaces, line breaks, comments) a workflow's YAML may
 * have: parsing costs about 4 µs per token, so 250,000 (a workflow of several thousand steps) keep
 * a request around a second, where a 4 MiB body of tiny tokens (`- 1` lines, blank lines) would hold
 * the API's event loop for 10 s.
 */
export const MAX_YAML_TOKENS = 250_000;

/**
 * Why the YAML text is refused before it is parsed (with the 1-based line and column where), or
 * null: collections nested deeper than `depth`, or more than `tokens` tokens.
 *
 * One pass over the `yaml` package's lexer (a state machine: no recursion, linear time), stopped at
 * the first excess, before the document is composed: the composer and everything after it recurse
 * once per level, so a 100,000-deep `[[[...` would overflow the stack, and near the stack's end V8
 * may even abort the process (a regular expression compiled there fails with a fatal "out of
 * memory"); and parsing time grows with the tokens.
 *
 * Block collections are tracked by the columns of their entries (`-`, `?`, `key:`), as the parser
 * does; a sequence may sit at its parent mapping's column. The count never falls short of the real
 * depth (what is refused is at worst a little shallower than `depth`).
 */
export function yamlLimitProblem(text: string, limits: { depth: number; tokens: number } = { depth: MAX_YAML_DEPTH, tokens: MAX_YAML_TOKENS }): Problem | null {
  type Open = { col: number; kind: 'seq' | 'map' };
  const stack: Open[] = [];
  let flow = 0;
  let line = 1;
  let col = 0;
  let tokens = 0;
  /** the column where the current block node began on this line (a candidate mapping key) */
  let nodeStart: number | null = null;
  const deeper = () => stack.length + flow > limits.depth;
  const openBlock = (kind: Open['kind'], at: number): boolean => {
    while (stack.length > 0 && stack[stack.length - 1].col > at) stack.pop();
    const top = stack[stack.length - 1];
    if (top && top.col === at) {
      if (top.kind === kind) return false; // the next entry of the same collection
      const below = stack[stack.length - 2];
      if (below && below.col === at && below.kind === kind) {
        stack.pop();
        return false;
      }
    }
    stack.push({ col: at, kind });
    return deeper();
  };
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'doc-mode' || type === 'scalar' || type === 'flow-error-end') continue; // markers, not source text
    if (++tokens > limits.tokens) return { path: '', line, column: col + 1, message: `the YAML has more than ${limits.tokens} tokens` };
    const at = col;
    let nl = token.indexOf('\n');
    if (nl < 0) col += token.length;
    else {
      for (; nl >= 0; nl = token.indexOf('\n', nl + 1)) line++;
      col = token.length - token.lastIndexOf('\n') - 1;
    }
    let exceeded = false;
    switch (type) {
      case 'newline':
        nodeStart = null;
        break;
      case 'doc-start':
      case 'doc-end':
        stack.length = 0;
        flow = 0;
        nodeStart = null;
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        if (flow === 0 && nodeStart === null) nodeStart = at;
        flow++;
        exceeded = deeper();
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        if (flow === 0) {
          exceeded = openBlock(type === 'seq-item-ind' ? 'seq' : 'map', at);
          nodeStart = null;
        }
        break;
      case 'map-value-ind':
        if (flow === 0) {
          exceeded = openBlock('map', nodeStart ?? at);
          nodeStart = null;
        }
        break;
      case 'space':
      case 'comment':
      case 'comma':
      case 'byte-order-mark':
      case 'directive-line':
        break;
      default: // a scalar, an alias, an anchor or a tag: where a node begins
        if (flow === 0 && nodeStart === null) nodeStart = at;
    }
    if (exceeded) return { path: '', line, column: at + 1, message: `YAML nested deeper than ${limits.depth} levels` };
  }
  return null;
}

export function parseYaml(text: string): ParsedYaml {
  const refused = yamlLimitProblem(text);
  if (refused) return { data: undefined, source: new YamlSource('', parseDocument(''), new LineCounter()), errors: [refused], warnings: [] };
  const lineCounter = new LineCounter();
  // uniqueKeys off: duplicate keys are reported below with their path instead of a bare parser error.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const source = new YamlSource(text, doc, lineCounter);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const e of doc.errors) {
    const { line, column } = source.positionOf(e.pos[0]);
    errors.push({ path: '', line, column, message: `YAML syntax error: ${e.message}` });
  }
  for (const w of doc.warnings) {
    const { line, column } = source.positionOf(w.pos[0]);
    warnings.push({ path: '', line, column, message: `YAML: ${w.message}` });
  }
  if (errors.length) return { data: undefined, source, errors, warnings };

  findDuplicateKeys(doc.contents as Node | null, [], source, errors);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    errors.push({ path: '', line: 1, column: 1, message: `YAML error: ${(err as Error).message}` });
    return { data: undefined, source, errors, warnings };
  }
  return { data, source, errors, warnings };
}

function findDuplicateKeys(node: Node | null | undefined, path: Segment[], source: YamlSource, out: Problem[]): void {
  if (!node) return;
  if (isMap(node)) {
    const seen = new Map<string, Scalar | Node>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key as Node | null;
      const key = String(isScalar(k) ? k.value : k);
      const first = seen.get(key);
      if (first && k?.range) {
        const { line, column } = source.positionOf(k.range[0]);
        const firstLine = first.range ? source.positionOf(first.range[0]).line : undefined;
        out.push({
          path: formatPath([...path, key]),
          line,
          column,
          message: `duplicate key "${key}"${firstLine ? ` (first defined on line ${firstLine})` : ''}`,
        });
      } else if (k) {
        seen.set(key, k);
      }
      findDuplicateKeys(pair.value as Node | null, [...path, key], source, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => findDuplicateKeys(item as Node | null, [...path, i], source, out));
  }
}

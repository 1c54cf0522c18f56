/**
 * docs/workflows.md against the JSON Schema of the format, so that the reference cannot drift:
 * - every built-in step type (STEP_TYPES) has a "### `<type>`" section;
 * - every `with` property the schema lists for a type is named in that type's section;
 * - every ```yaml block preceded by `<!-- workflow -->` is a complete workflow that validates with
 *   no error (and no warning other than "accepted but ignored (Kibana key)");
 * - every other ```yaml block (a step snippet) is valid YAML whose steps use known step types;
 * - every Kibana key that is accepted but ignored is named somewhere in the doc.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { isKnownStepType, KIBANA_IGNORED_MESSAGE, KIBANA_KEYS, STEP_TYPES, validateWorkflow, workflowSchema } from '@flowgate/workflow-format';

const DOC_PATH = path.resolve(__dirname, '../../../docs/workflows.md');
const doc = readFileSync(DOC_PATH, 'utf8');
const lines = doc.split('\n');

/** The connectors the doc's workflows may name (the ones docs/connectors.md defines). */
const CONNECTORS = {
  'my-openai': { type: 'openai' },
  'edr-connector': { type: 'http' },
  pager: { type: 'http' },
  elasticsearch: { type: 'elasticsearch' },
  kibana: { type: 'kibana' },
  'slack-secops': { type: 'slack' },
  mail: { type: 'email' },
};

type Schema = Record<string, any>;

/* ---------- the schema: the `with` properties of each step type ---------- */

/** Follows `$ref`s (`#/definitions/...`, or any JSON pointer into the schema). */
function deref(schema: Schema | boolean | undefined, root: Schema = workflowSchema as Schema, depth = 0): Schema | undefined {
  if (schema === undefined || typeof schema === 'boolean') return undefined;
  if (typeof schema.$ref === 'string' && depth < 20) {
    const pointer = schema.$ref.replace(/^#\/?/, '');
    let target: any = root;
    for (const raw of pointer.split('/').filter(Boolean)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      target = target?.[key];
    }
    if (target === undefined) throw new Error(`unresolvable $ref ${schema.$ref}`);
    return deref(target, root, depth + 1);
  }
  return schema;
}

/** The property names a `with` schema declares, including those under its own allOf / if-then-else. */
function propertyNames(schema: Schema | undefined, out = new Set<string>(), depth = 0): Set<string> {
  if (!schema || depth > 10) return out;
  if (schema.properties && typeof schema.properties === 'object') {
    for (const key of Object.keys(schema.properties)) out.add(key);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(schema[key])) for (const s of schema[key]) propertyNames(deref(s), out, depth + 1);
  }
  for (const key of ['then', 'else']) propertyNames(deref(schema[key]), out, depth + 1);
  return out;
}

/**
 * Step type → the `with` property names the schema declares for it. The step schema is one object
 * with `allOf: [{ if: {properties: {type: {const: T}}}, then: {properties: {with: <schema>}} }, ...]`;
 * several entries may concern one type (they are merged).
 */
function withPropertiesByType(): Map<string, Set<string>> {
  const step = deref((workflowSchema as Schema).definitions?.step);
  if (!step || !Array.isArray(step.allOf)) throw new Error('the schema has no definitions.step.allOf');
  const byType = new Map<string, Set<string>>();
  for (const entry of step.allOf as Schema[]) {
    const type = entry?.if?.properties?.type?.const;
    if (typeof type !== 'string') continue; // pattern-based entries (elasticsearch.<api>) declare no properties of `with`
    const withSchema = deref(entry?.then?.properties?.with);
    const names = propertyNames(withSchema);
    if (names.size === 0) continue;
    const known = byType.get(type) ?? new Set<string>();
    names.forEach((n) => known.add(n));
    byType.set(type, known);
  }
  return byType;
}

/* ---------- the doc: sections and code blocks ---------- */

/** The text of the "### `<type>`" section: up to the next heading of level 1 to 3. */
function sectionOf(type: string): string | undefined {
  const start = lines.findIndex((l) => l.trim() === `### \`${type}\``);
  if (start < 0) return undefined;
  let end = start + 1;
  let inFence = false;
  for (; end < lines.length; end++) {
    if (/^\s*```/.test(lines[end])) inFence = !inFence;
    if (!inFence && /^#{1,3}\s/.test(lines[end])) break;
  }
  return lines.slice(start, end).join('\n');
}

interface Block {
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  text: string;
  workflow: boolean;
}

function codeBlocks(): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```\s*([A-Za-z0-9_-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) j++;
    if (j >= lines.length) throw new Error(`docs/workflows.md:${i + 1}: unterminated code block`);
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    blocks.push({
      line: i + 1,
      lang: open[2].toLowerCase(),
      text: lines.slice(i + 1, j).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n'),
      workflow: k >= 0 && lines[k].trim() === '<!-- workflow -->',
    });
    i = j;
  }
  return blocks;
}

const blocks = codeBlocks();
const yamlBlocks = blocks.filter((b) => b.lang === 'yaml' || b.lang === 'yml');
const workflowBlocks = yamlBlocks.filter((b) => b.workflow);
const snippetBlocks = yamlBlocks.filter((b) => !b.workflow);

const STEP_KEYS = ['with', 'steps', 'if', 'connector-id', 'foreach', 'condition', 'expression', 'cases', 'source', 'items', 'on-failure', 'timeout', 'else', 'default'];

/** Step-like mappings of a parsed snippet: objects with a string `name` and `type` and some step key. */
function stepTypesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => stepTypesIn(v, out));
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.name === 'string' && typeof obj.type === 'string' && STEP_KEYS.some((k) => k in obj)) out.push(obj.type);
    Object.values(obj).forEach((v) => stepTypesIn(v, out));
  }
  return out;
}

/* ---------- tests ---------- */

describe('docs/workflows.md', () => {
  it('has a "### `<type>`" section for every built-in step type', () => {
    const missing = STEP_TYPES.filter((type) => sectionOf(type) === undefined);
    expect(missing).toEqual([]);
  });

  const withProps = withPropertiesByType();

  it('finds the `with` properties of the step types in the schema', () => {
    // guards the extraction itself: these types have explicit `with` properties in the schema
    for (const type of ['console', 'http', 'waitForInput', 'ai.classify', 'cases.createCase', 'elasticsearch.search']) {
      expect(withProps.get(type)?.size ?? 0).toBeGreaterThan(0);
    }
    expect([...withProps.get('http')!]).toEqual(expect.arrayContaining(['method', 'url', 'headers', 'body', 'query']));
    for (const type of withProps.keys()) expect(STEP_TYPES).toContain(type);
  });

  describe.each(STEP_TYPES.filter((t) => withProps.has(t)).map((t) => [t]))('the section of %s', (type) => {
    it('names every `with` property of the schema', () => {
      const section = sectionOf(type) ?? '';
      const missing = [...withProps.get(type)!].filter((prop) => !new RegExp(`\`${prop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``).test(section));
      expect(missing).toEqual([]);
    });
  });

  it('holds complete workflows marked <!-- workflow -->, each followed by a yaml block', () => {
    expect(workflowBlocks.length).toBeGreaterThanOrEqual(20);
    const markers = lines.filter((l) => l.trim() === '<!-- workflow -->').length;
    expect(markers).toBe(workflowBlocks.length);
  });

  it.each(workflowBlocks.map((b) => [b.line, b]))('the workflow at line %i validates', (_line, block) => {
    const result = validateWorkflow((block as Block).text, { connectors: CONNECTORS });
    expect(result.errors).toEqual([]);
    expect(result.warnings.filter((w) => w.message !== KIBANA_IGNORED_MESSAGE)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(snippetBlocks.map((b) => [b.line, b]))('the snippet at line %i is YAML with known step types', (_line, block) => {
    const parsed = parseDocument((block as Block).text);
    expect(parsed.errors.map((e) => e.message)).toEqual([]);
    const unknown = stepTypesIn(parsed.toJS()).filter((t) => !isKnownStepType(t));
    expect(unknown).toEqual([]);
  });

  it('names every Kibana key that is accepted but ignored', () => {
    const keys = new Set(Object.values(KIBANA_KEYS).flat());
    const missing = [...keys].filter((k) => !doc.includes(`\`${k}\``) && !doc.includes(`.${k}\``));
    expect(missing).toEqual([]);
  });
});

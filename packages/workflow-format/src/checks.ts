/**
 * Static checks the JSON Schema cannot express: unique step names, step references in execution order,
 * template and KQL syntax, JSON Schemas of waits, time zones, schedules, inputs, connectors,
 * and the warnings for Kibana keys. They run on the raw data and are defensive about its shape
 * (the schema may have found errors already; duplicates are removed by the caller).
 */
import { checkCondition, compileCondition, KqlNode } from '@flowgate/condition';
import { checkTemplate, dollarOutputs, isPlainObject, isWholeValue, stepReferences } from '@flowgate/template';
import { checkCasesStep, isCasesCatalogStepType } from './cases-steps';
import { checkDataStep, isDataStepType } from './data-steps';
import { isDuration, parseDuration } from './duration';
import { inputItemToJsonSchema, InputListItem } from './inputs';
import { APPROVAL_SCHEMA, checkJsonSchema, validateAnswer, valueMatches } from './json-schema';
import { KIBANA_IGNORED_MESSAGE, KIBANA_KEYS } from './kibana-keys';
import { checkKibanaStep, isKibanaStepType } from './kibana-steps';
import { unknownStepTypeMessage } from './messages';
import { stepLevelLoopName } from './normalize';
import type { Target, YamlSource } from './parse-yaml';
import { formatPath, Segment } from './path';
import { connectorTypeFor, DEFAULT_WHILE_ITERATIONS, isHumanWaitStep, isKnownStepType, isLoopControlStep } from './step-types';
import { didYouMean } from './suggest';
import type { Problem, ValidateOptions } from './types';

type Raw = Record<string, unknown>;

/** Any text (spaces included, as Kibana allows) but the characters step paths and job ids use. */
const STEP_NAME_RE = /^[^/#:[\]\u0000-\u001f\u007f]+$/;
const TEMPLATE_MARK = /\{\{|\{%/;
export const EMBEDDED_DOLLAR_MESSAGE =
  '"${{ }}" inside a longer string is read as "{{ }}": the value is inserted as text (only a whole "${{ }}" value keeps its type)';

/** A step found in the raw tree, with its place in execution order. */
interface StepEntry {
  raw: Raw;
  name?: string;
  path: Segment[];
  /** 'main' for `steps`, 'settings' for `settings.on-failure.fallback` */
  root: 'main' | 'settings';
  /** from the root down: the list holding each ancestor (and the step itself) and its index there */
  chain: Array<{ list: string; index: number }>;
  /** inside an iteration of a foreach or while (where loop.break and loop.continue apply) */
  inLoop: boolean;
  /** the while whose `steps` hold this step (directly or deeper): its condition may read this step */
  whiles: Raw[];
}

export class Checker {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];
  private readonly entries: StepEntry[] = [];
  private readonly byName = new Map<string, StepEntry[]>();

  constructor(
    private readonly data: Raw,
    private readonly source: YamlSource,
    private readonly opts: ValidateOptions = {},
  ) {}

  run(): void {
    const steps = this.data.steps;
    if (Array.isArray(steps)) this.collect(steps, ['steps'], 'main', []);
    const settings = this.data.settings;
    if (isPlainObject(settings) && isPlainObject(settings['on-failure'])) {
      const onFailure = settings['on-failure'];
      if (Array.isArray(onFailure.fallback)) this.collect(onFailure.fallback, ['settings', 'on-failure', 'fallback'], 'settings', []);
      this.kibanaRetry(onFailure, ['settings', 'on-failure']);
    }
    this.checkNames();
    for (const entry of this.entries) this.checkStep(entry);
    this.checkTriggers();
    this.checkTopLevel();
  }

  /* ---------- problems ---------- */

  private error(path: Segment[], message: string, target: Target = 'value'): void {
    const { line, column } = this.source.position(path, target);
    this.errors.push({ path: formatPath(path), line, column, message });
  }

  private errorAt(path: Segment[], offset: number | undefined, message: string): void {
    const { line, column } =
      offset === undefined ? this.source.position(path) : this.source.positionInValue(path, offset);
    this.errors.push({ path: formatPath(path), line, column, message });
  }

  private warn(path: Segment[], message: string): void {
    const { line, column } = this.source.position(path);
    this.warnings.push({ path: formatPath(path), line, column, message });
  }

  private warnAt(path: Segment[], offset: number, message: string): void {
    const { line, column } = this.source.positionInValue(path, offset);
    this.warnings.push({ path: formatPath(path), line, column, message });
  }

  private warnKibana(path: Segment[]): void {
    const { line, column } = this.source.position(path, 'key');
    this.warnings.push({ path: formatPath(path), line, column, message: KIBANA_IGNORED_MESSAGE });
  }

  private kibanaKeys(obj: Raw, keys: readonly string[], path: Segment[]): void {
    for (const key of keys) if (key in obj) this.warnKibana([...path, key]);
  }

  private kibanaRetry(onFailure: Raw, path: Segment[]): void {
    if (isPlainObject(onFailure.retry)) this.kibanaKeys(onFailure.retry, KIBANA_KEYS.retry, [...path, 'retry']);
  }

  /* ---------- the step tree ---------- */

  private collect(list: unknown[], path: Segment[], root: StepEntry['root'], parentChain: StepEntry['chain'], scope: Pick<StepEntry, 'inLoop' | 'whiles'> = { inLoop: false, whiles: [] }): void {
    const listId = formatPath(path);
    list.forEach((raw, index) => {
      if (!isPlainObject(raw)) return;
      const stepPath = [...path, index];
      const chain = [...parentChain, { list: listId, index }];
      const entry: StepEntry = { raw, path: stepPath, root, chain, ...scope };
      const body = raw.type === 'foreach' || raw.type === 'while' ? { inLoop: true, whiles: raw.type === 'while' ? [...scope.whiles, raw] : scope.whiles } : scope;
      // a step-level foreach runs the step, and its fallback, once per item
      const fallbackScope = raw.foreach !== undefined && raw.type !== 'foreach' ? { ...scope, inLoop: true } : scope;
      if (typeof raw.name === 'string') {
        entry.name = raw.name;
        const same = this.byName.get(raw.name);
        if (same) same.push(entry);
        else this.byName.set(raw.name, [entry]);
      }
      this.entries.push(entry);
      const child = (key: string) => {
        if (Array.isArray(raw[key])) this.collect(raw[key] as unknown[], [...stepPath, key], root, chain, key === 'steps' ? body : scope);
      };
      child('steps');
      child('else');
      if (Array.isArray(raw.cases)) {
        raw.cases.forEach((c, i) => {
          if (isPlainObject(c) && Array.isArray(c.steps)) this.collect(c.steps, [...stepPath, 'cases', i, 'steps'], root, chain, scope);
        });
      }
      child('default');
      const onFailure = raw['on-failure'];
      if (isPlainObject(onFailure) && Array.isArray(onFailure.fallback)) {
        this.collect(onFailure.fallback, [...stepPath, 'on-failure', 'fallback'], root, chain, fallbackScope);
      }
    });
  }

  /** Does `x` run before `s` (so that `s` may read `steps.<x>`)? */
  private runsBefore(x: StepEntry, s: StepEntry): boolean {
    if (x.root !== s.root) return x.root === 'main' && s.root === 'settings';
    for (let i = 0; i < x.chain.length && i < s.chain.length; i++) {
      const a = x.chain[i];
      const b = s.chain[i];
      if (a.list !== b.list) return false; // different branches of one container
      if (a.index !== b.index) return a.index < b.index; // inside an earlier / a later sibling
      if (i === x.chain.length - 1) return i < s.chain.length - 1; // x is an ancestor (or s itself)
    }
    return false; // x is inside s
  }

  /** The foreach containers made by step-level `foreach` (`foreach_<name>`), by name: they may be read too. */
  private stepLevelLoops(): Map<string, StepEntry> {
    const out = new Map<string, StepEntry>();
    for (const entry of this.entries) {
      if (typeof entry.name === 'string' && entry.raw.foreach !== undefined && entry.raw.type !== 'foreach') out.set(stepLevelLoopName(entry.name), entry);
    }
    return out;
  }

  private checkNames(): void {
    for (const [loopName, entry] of this.stepLevelLoops()) {
      if (this.byName.has(loopName)) {
        this.error([...entry.path, 'foreach'], `a step-level foreach runs the step in a loop named "${loopName}", but a step already has that name`, 'key');
      }
    }
    for (const [name, list] of this.byName) {
      const first = list[0];
      const firstLine = this.source.position([...first.path, 'name']).line;
      for (const dup of list.slice(1)) {
        this.error([...dup.path, 'name'], `duplicate step name "${name}" (first used on line ${firstLine})`);
      }
    }
  }

  private checkStep(entry: StepEntry): void {
    const { raw, path } = entry;
    const type = raw.type;
    if (typeof raw.name === 'string' && !STEP_NAME_RE.test(raw.name)) {
      this.error([...path, 'name'], `invalid step name ${JSON.stringify(raw.name)}: a step name may not contain "/", "#", ":", "[", "]" or control characters`);
    }
    if (typeof type === 'string' && !isKnownStepType(type)) {
      this.error([...path, 'type'], unknownStepTypeMessage(type));
    }
    this.kibanaKeys(raw, KIBANA_KEYS.step, path);
    if (type === 'foreach') this.kibanaKeys(raw, KIBANA_KEYS.loop, path);
    if (type === 'while') this.whileLoop(raw, path);
    if (isLoopControlStep(String(type)) && !entry.inLoop) {
      this.error([...path, 'type'], `${String(type)} must be inside a foreach or a while (it ${type === 'loop.break' ? 'ends' : 'goes on with the next iteration of'} the innermost loop)`);
    }
    if ((type === 'foreach' || type === 'while') && isPlainObject(raw['on-failure']) && raw['on-failure'].retry !== undefined) {
      const at = [...path, 'on-failure', 'retry'];
      const { line, column } = this.source.position(at, 'key');
      this.warnings.push({ path: formatPath(at), line, column, message: `accepted but ignored: a ${String(type)} is not retried (its fallback and continue apply)` });
    }
    if (typeof type === 'string' && type.startsWith('ai.')) this.kibanaKeys(raw, type === 'ai.agent' ? KIBANA_KEYS.aiAgent : KIBANA_KEYS.ai, path);
    if (typeof type === 'string' && type.startsWith('cases.')) this.kibanaKeys(raw, KIBANA_KEYS.casesStep, path);
    if (isPlainObject(raw['on-failure'])) this.kibanaRetry(raw['on-failure'], [...path, 'on-failure']);

    this.checkConnector(entry);

    // templates: every string under `with` (except waitForInput.with.schema) and the step-level ones
    const w = raw.with;
    if (isPlainObject(w)) {
      for (const [key, value] of Object.entries(w)) {
        if ((type === 'waitForInput' || type === 'ai.prompt' || type === 'ai.agent') && key === 'schema') continue;
        this.templates(value, [...path, 'with', key], entry);
      }
      if (type === 'http') {
        this.kibanaKeys(w, KIBANA_KEYS.httpWith, [...path, 'with']);
        this.httpTarget(raw, w, path);
      }
      if (type === 'workflow.fail') this.kibanaKeys(w, KIBANA_KEYS.failWith, [...path, 'with']);
      if (typeof type === 'string' && type.startsWith('kibana.')) this.kibanaKeys(w, KIBANA_KEYS.kibanaWith, [...path, 'with']);
      if (type === 'cases.createCase') this.kibanaKeys(w, KIBANA_KEYS.createCaseWith, [...path, 'with']);
    }
    for (const key of ['foreach', 'items', 'source', 'arrays', 'expression']) {
      if (raw[key] !== undefined) this.templates(raw[key], [...path, key], entry);
    }
    for (const key of ['if', 'condition']) {
      // a while checks its condition after each iteration: it may read the steps of its own body
      const bodyOf = key === 'condition' && type === 'while' ? raw : undefined;
      if (typeof raw[key] === 'string') this.condition(raw[key] as string, [...path, key], entry, bodyOf);
    }

    if (isPlainObject(w)) {
      if (isKibanaStepType(type)) checkKibanaStep(raw, path, { error: (p, m) => this.error(p, m) });
      if (isCasesCatalogStepType(type)) checkCasesStep(raw, path, { kibana: (p) => this.warnKibana(p), error: (p, m) => this.error(p, m) });
      if (isDataStepType(type)) checkDataStep(raw, path, { error: (p, m) => this.error(p, m), warn: (p, m) => this.warn(p, m), kql: (t, p) => this.kql(t, p) });
      if (type === 'data.filter' && typeof w.condition === 'string') {
        this.kql(w.condition, [...path, 'with', 'condition']);
      }
      if (type === 'wait' && typeof w.duration === 'string' && !TEMPLATE_MARK.test(w.duration)) {
        this.duration(w.duration, [...path, 'with', 'duration']);
      }
      if ((type === 'waitForInput' || type === 'ai.prompt' || type === 'ai.agent') && isPlainObject(w.schema)) {
        this.jsonSchema(w.schema, [...path, 'with', 'schema'], type === 'waitForInput');
      }
      if (type === 'waitForInput' && isPlainObject(w.schema)) this.answerFields(w.schema, [...path, 'with', 'schema']);
      if (isHumanWaitStep(String(type)) && isPlainObject(w.channels)) this.channelConnectors(w.channels, [...path, 'with', 'channels']);
    }
    if (isHumanWaitStep(String(type)) && isPlainObject(raw['on-timeout']) && isPlainObject(raw['on-timeout'].outcome)) {
      this.timeoutOutcome(raw['on-timeout'].outcome, type === 'waitForApproval' ? APPROVAL_SCHEMA : isPlainObject(w) ? w.schema : undefined, [...path, 'on-timeout', 'outcome']);
    }
    if (typeof raw.timeout === 'string') this.duration(raw.timeout, [...path, 'timeout']);
  }

  /** A while acts on max-iterations (a default cap when absent); the per-iteration keys are Kibana's, ignored. */
  private whileLoop(raw: Raw, path: Segment[]): void {
    this.kibanaKeys(raw, ['iteration-on-failure', 'iteration-timeout'], path);
    if (raw['max-iterations'] === undefined) {
      this.warn([...path, 'type'], `no max-iterations: the loop stops after ${DEFAULT_WHILE_ITERATIONS} iterations (and the step succeeds); set max-iterations to say how many`);
    }
  }

  /** Kibana 9.5 puts the answer at `output.response` and `output.respondedBy`: a schema field of that name wins. */
  private answerFields(schema: Raw, path: Segment[]): void {
    const props = isPlainObject(schema.properties) ? schema.properties : {};
    for (const name of ['response', 'respondedBy']) {
      if (!Object.prototype.hasOwnProperty.call(props, name)) continue;
      const { line, column } = this.source.position([...path, 'properties', name], 'key');
      this.warnings.push({
        path: formatPath([...path, 'properties', name]),
        line,
        column,
        message: `the answer's field "${name}" hides Kibana 9.5's steps.<name>.output.${name} (the whole answer${name === 'respondedBy' ? "'s author" : ''}): templates reading output.${name} get the field`,
      });
    }
  }

  /** Each channel of a wait names a connector of its own type (a webhook: an `http` connector). */
  private channelConnectors(channels: Raw, path: Segment[]): void {
    const connectors = this.opts.connectors;
    if (!connectors) return;
    const needed: Record<string, string> = { slack: 'slack', slack_api: 'slack_api', email: 'email', webhook: 'http' };
    for (const [channel, type] of Object.entries(needed)) {
      const settings = channels[channel];
      const id = isPlainObject(settings) ? settings['connector-id'] : undefined;
      if (typeof id !== 'string') continue;
      const at = [...path, channel, 'connector-id'];
      const connector = Object.prototype.hasOwnProperty.call(connectors, id) ? connectors[id] : undefined;
      if (!connector) this.error(at, `unknown connector "${id}"${didYouMean(id, Object.keys(connectors))}`);
      else if (connector.type !== type) this.error(at, `connector "${id}" is of type "${connector.type}", but the ${channel} channel needs a connector of type "${type}"`);
    }
  }

  /** `on-timeout.outcome` must be an answer the wait would accept. */
  private timeoutOutcome(outcome: Raw, schema: unknown, path: Segment[]): void {
    if (!isPlainObject(schema)) return;
    const errors = validateAnswer(schema, outcome);
    for (const e of errors) this.error(path, `on-timeout outcome does not match the wait's schema${e.path ? ` at ${e.path}` : ''}: ${e.message}`);
  }

  /** `url`, or Kibana's `path` relative to the connector's url: exactly one of them. */
  private httpTarget(raw: Raw, w: Raw, path: Segment[]): void {
    if (w.url === undefined && w.path === undefined) this.error([...path, 'with'], 'missing required key "url" (or "path" with a connector-id)');
    else if (w.url !== undefined && w.path !== undefined) this.error([...path, 'with', 'path'], 'give either "url" or "path", not both', 'key');
    else if (w.path !== undefined && raw['connector-id'] === undefined) {
      this.error([...path, 'with', 'path'], '"path" is relative to a connector\'s url: add a connector-id (or give an absolute "url")', 'key');
    }
  }

  private checkConnector(entry: StepEntry): void {
    const id = entry.raw['connector-id'];
    const type = entry.raw.type;
    if (typeof id !== 'string') return;
    const path = [...entry.path, 'connector-id'];
    if (TEMPLATE_MARK.test(id) || id.includes('${{')) {
      this.error(path, 'connector-id must be a literal connector id, not a template');
      return;
    }
    const connectors = this.opts.connectors;
    if (!connectors) return;
    const connector = Object.prototype.hasOwnProperty.call(connectors, id) ? connectors[id] : undefined;
    if (!connector && type === 'ai.agent') {
      // Kibana's ai.agent names one of Kibana's own AI connectors there: it is sent to Kibana as such
      this.warn(path, `"${id}" is not a connector of connectors.yaml: sent to Kibana as the agent's AI connector (connector_id), through the default kibana connector`);
      return;
    }
    if (!connector) {
      this.error(path, `unknown connector "${id}"${didYouMean(id, Object.keys(connectors))}`);
      return;
    }
    const needed = typeof type === 'string' ? connectorTypeFor(type) : undefined;
    if (needed && connector.type !== needed) {
      const article = /^[aeiou]/i.test(String(type)) ? 'an' : 'a';
      this.error(path, `connector "${id}" is of type "${connector.type}", but ${article} ${type} step needs a connector of type "${needed}"`);
    }
  }

  private duration(text: string, path: Segment[]): void {
    if (!isDuration(text)) {
      try {
        parseDuration(text);
      } catch (err) {
        this.error(path, (err as Error).message);
      }
    }
  }

  /* ---------- templates, references and conditions ---------- */

  private templates(value: unknown, path: Segment[], entry: StepEntry): void {
    if (typeof value === 'string') {
      this.template(value, path, entry);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => this.templates(v, [...path, i], entry));
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) this.templates(v, [...path, k], entry);
    }
  }

  /** Checks one templated string; false when its syntax is invalid. */
  private template(text: string, path: Segment[], entry: StepEntry, loopBody?: Raw): boolean {
    if (!text.includes('{')) return true;
    const err = safe(() => checkTemplate(text));
    if (err) {
      this.errorAt(path, err.position?.offset, err.message);
      return false;
    }
    if (text.includes('${{') && !isWholeValue(text)) {
      for (const at of safe(() => dollarOutputs(text)) ?? []) this.warnAt(path, at, EMBEDDED_DOLLAR_MESSAGE);
    }
    const refs = safe(() => stepReferences(text)) ?? [];
    for (const name of new Set(refs)) this.reference(name, text, path, entry, loopBody);
    return true;
  }

  private condition(text: string, path: Segment[], entry: StepEntry, loopBody?: Raw): void {
    if (!this.template(text, path, entry, loopBody)) return;
    // field paths of the KQL itself read the context too: `steps.review.output.approved : true`
    const fields = TEMPLATE_MARK.test(text) ? kqlStepFields(text) : (safe(() => astStepFields(compileCondition(text))) ?? []);
    for (const name of new Set(fields)) this.reference(name, text, path, entry, loopBody);
    this.kql(text, path);
  }

  private kql(text: string, path: Segment[]): void {
    const err = safe(() => checkCondition(text));
    if (err) {
      // ConditionError.position is a 1-based column in the condition text
      const pos = (err as { position?: unknown }).position;
      this.errorAt(path, typeof pos === 'number' ? pos - 1 : undefined, err.message);
    }
  }

  /** `loopBody`: a while whose condition this is: the steps of its body have run when it is checked. */
  private reference(name: string, text: string, path: Segment[], entry: StepEntry, loopBody?: Raw): void {
    const loop = this.stepLevelLoops().get(name);
    const targets = this.byName.get(name) ?? (loop ? [loop] : undefined);
    const at = referenceOffset(text, name);
    if (!targets) {
      this.errorAt(path, at, `reads ${stepRef(name)}, but no step is named "${name}"${didYouMean(name, this.byName.keys())}`);
    } else if (!targets.some((t) => this.runsBefore(t, entry) || (loopBody !== undefined && t.whiles.includes(loopBody)))) {
      this.errorAt(path, at, `reads ${stepRef(name)}, but step "${name}" does not run before this step`);
    }
  }

  /* ---------- JSON Schemas and inputs ---------- */

  private jsonSchema(schema: Raw, path: Segment[], mustBeObject: boolean): void {
    const issue = checkJsonSchema(schema);
    if (issue) {
      this.error([...path, ...issue.path], issue.message);
      return;
    }
    if (mustBeObject && schema.type !== 'object') {
      const where = schema.type === undefined ? path : [...path, 'type'];
      this.error(where, `expected a JSON Schema of type "object" (the answer is a JSON object), got ${schema.type === undefined ? 'no type' : JSON.stringify(schema.type)}`);
    }
  }

  private inputs(inputs: unknown, path: Segment[]): void {
    if (isPlainObject(inputs)) {
      const issue = checkJsonSchema(inputs);
      if (issue) this.error([...path, ...issue.path], issue.message);
      else if (inputs.type !== undefined && inputs.type !== 'object') {
        this.error([...path, 'type'], `expected the inputs schema to be of type "object", got ${JSON.stringify(inputs.type)}`);
      }
      return;
    }
    if (!Array.isArray(inputs)) return;
    const seen = new Set<string>();
    inputs.forEach((item, i) => {
      if (!isPlainObject(item) || typeof item.name !== 'string') return;
      if (seen.has(item.name)) this.error([...path, i, 'name'], `duplicate input name "${item.name}"`);
      seen.add(item.name);
      if (item.default !== undefined && typeof item.type === 'string') {
        const prop = inputItemToJsonSchema(item as unknown as InputListItem);
        const bad = valueMatches(prop, item.default);
        if (bad) this.error([...path, i, 'default'], `default does not fit the input: ${bad}`);
      }
    });
  }

  /* ---------- triggers and the top level ---------- */

  private checkTriggers(): void {
    const triggers = this.data.triggers;
    if (!Array.isArray(triggers)) return;
    let manualInputs: Segment[] | undefined;
    triggers.forEach((t, i) => {
      if (!isPlainObject(t)) return;
      const path: Segment[] = ['triggers', i];
      if (isPlainObject(t.on)) {
        this.kibanaKeys(t.on, KIBANA_KEYS.triggerOn, [...path, 'on']);
        const cond = t.on.condition;
        if (typeof cond === 'string') {
          if (TEMPLATE_MARK.test(cond)) {
            this.error([...path, 'on', 'condition'], 'a trigger condition is KQL against the event itself, not a template: remove "{{ }}"');
          } else {
            this.kql(cond, [...path, 'on', 'condition']);
          }
        }
      }
      if (t.type === 'manual' && t.inputs !== undefined) {
        this.inputs(t.inputs, [...path, 'inputs']);
        manualInputs = [...path, 'inputs'];
      }
      if (t.type === 'scheduled' && isPlainObject(t.with)) {
        const w = t.with;
        if (typeof w.every === 'string' && isDuration(w.every) && parseDuration(w.every) < 60_000) {
          this.error([...path, 'with', 'every'], `a schedule runs at most every minute: expected at least 1m, got "${w.every}"`);
        }
        if (typeof w.timezone === 'string') this.timeZone(w.timezone, [...path, 'with', 'timezone']);
        if (isPlainObject(w.rrule) && typeof w.rrule.tzid === 'string') this.timeZone(w.rrule.tzid, [...path, 'with', 'rrule', 'tzid']);
      }
    });
    if (this.data.inputs !== undefined && manualInputs) {
      this.error(manualInputs, 'inputs are given both at the top level and under the manual trigger: keep one', 'key');
    }
  }

  private timeZone(tz: string, path: Segment[]): void {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      this.error(path, `unknown time zone "${tz}": expected an IANA name such as Europe/Paris or UTC`);
    }
  }

  /** A workflow.output's literal keys must be outputs the workflow declares (when it declares a closed set). */
  private outputKeys(): void {
    const declared = this.data.outputs;
    const names = Array.isArray(declared)
      ? declared.filter(isPlainObject).map((o) => String(o.name))
      : isPlainObject(declared) && isPlainObject(declared.properties) && declared.additionalProperties === false
        ? Object.keys(declared.properties)
        : undefined;
    if (!names) return;
    for (const entry of this.entries) {
      if (entry.raw.type !== 'workflow.output' || !isPlainObject(entry.raw.with)) continue;
      for (const key of Object.keys(entry.raw.with)) {
        if (!names.includes(key)) this.error([...entry.path, 'with', key], `"${key}" is not an output this workflow declares (outputs: ${names.join(', ') || 'none'})${didYouMean(key, names)}`, 'key');
      }
    }
  }

  private checkTopLevel(): void {
    this.kibanaKeys(this.data, KIBANA_KEYS.workflow, []);
    if (isPlainObject(this.data.settings)) this.kibanaKeys(this.data.settings, KIBANA_KEYS.settings, ['settings']);
    if (this.data.inputs !== undefined) this.inputs(this.data.inputs, ['inputs']);
    if (this.data.outputs !== undefined) this.inputs(this.data.outputs, ['outputs']);
    this.outputKeys();
  }
}

/** Calls into the template/condition packages never make validation throw. */
function safe<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

/** Names X of the field paths `steps.X...` of a parsed KQL condition. */
function astStepFields(node: KqlNode, out: string[] = []): string[] {
  switch (node.type) {
    case 'and':
    case 'or':
      node.children.forEach((c) => astStepFields(c, out));
      break;
    case 'not':
      astStepFields(node.child, out);
      break;
    default:
      if (node.path.length > 1 && node.path[0].key === 'steps') out.push(node.path[1].key);
  }
  return out;
}

/** Names X of KQL field paths `steps.X...` in a templated condition (outside templates and quoted values). */
export function kqlStepFields(text: string): string[] {
  const out: string[] = [];
  const withoutTemplates = text.replace(/\$?\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, (m) => ' '.repeat(m.length));
  // `steps['open ticket'].output : x`: a bracketed name, before quoted values are blanked
  const bracketed = /(?:^|[\s(])steps\[\s*(["'])((?:(?!\1)[^\\[\]])+)\1\s*\][^\s:<>()]*\s*(?::|<=?|>=?)/g;
  let m: RegExpExecArray | null;
  while ((m = bracketed.exec(withoutTemplates))) out.push(m[2]);
  const stripped = withoutTemplates.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (q) => ' '.repeat(q.length));
  const re = /(?:^|[\s(])steps\.([A-Za-z0-9_-]+)[^\s:<>()]*\s*(?::|<=?|>=?)/g;
  while ((m = re.exec(stripped))) out.push(m[1]);
  return out;
}

/** `steps.x`, or `steps['open ticket']` for a name that is not a plain identifier. */
function stepRef(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? `steps.${name}` : `steps['${name}']`;
}

function referenceOffset(text: string, name: string): number | undefined {
  for (const form of [`steps.${name}`, `steps["${name}"]`, `steps['${name}']`]) {
    const re = new RegExp(`${form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`);
    const m = re.exec(text);
    if (m) return m.index;
  }
  return undefined;
}

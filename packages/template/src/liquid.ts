/**
 * The one LiquidJS engine of Flowgate: allowed tags only, no file system, own properties only,
 * lenient variables, strict filters, the limits of docs/workflows.md "Templates", and the json/json_parse/entries/markdown filters.
 */
import { Context, Drop, FS, Liquid, toValue } from 'liquidjs';
import { escapeMarkdown } from './markdown';

/** What a filter sees as `this`. */
interface FilterImpl {
  context?: Context;
}

export const ALLOWED_TAGS: readonly string[] = [
  'assign', 'capture', 'case', 'comment', 'cycle', 'decrement', 'echo', 'for', 'if', 'increment',
  'liquid', 'raw', 'unless', 'break', 'continue', '#',
];

export const LIMITS = { parseLimit: 150_000, renderLimit: 1_000, memoryLimit: 15_000_000 } as const;

function noFile(file: string): Error {
  return new Error(`templates have no file system: "${file}" cannot be read`);
}

/** A file system in which every lookup fails. */
export const noFileSystem: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => {
    throw noFile(file);
  },
  readFileSync: (file: string) => {
    throw noFile(file);
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
  fallback: () => undefined,
};

/** Text of a value in `{{ }}`: null/undefined → "", arrays and objects → compact JSON. */
export function toText(value: unknown): string {
  const v: unknown = toValue(value);
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v) ?? '';
  return String(v);
}

let currentEscape: ((text: string) => string) | undefined;

/** Runs a (synchronous) render with `escape` applied to the text of every output. */
export function withEscape<T>(escape: ((text: string) => string) | undefined, fn: () => T): T {
  const previous = currentEscape;
  currentEscape = escape;
  try {
    return fn();
  } finally {
    currentEscape = previous;
  }
}

/**
 * What the `markdown` filter returns: text the author trusts as Markdown. An output whose last filter
 * is `markdown` is left alone by the Markdown escaping of wait messages (escapeMarkdown), and by that
 * escaping only: any other escape (the KQL quoting of conditions) still applies. Everywhere else it
 * is its text (a Drop: LiquidJS's toValue and the string filters read it through valueOf).
 */
export class TrustedMarkdown extends Drop {
  constructor(readonly text: string) {
    super();
  }
  override valueOf(): string {
    return this.text;
  }
  override toString(): string {
    return this.text;
  }
  /** for `size` */
  get length(): number {
    return this.text.length;
  }
}

/** The text of an output under `escape` (the text of a `markdown` filter's result as is under escapeMarkdown). */
export function escapedText(value: unknown, escape: ((text: string) => string) | undefined): string {
  if (value instanceof TrustedMarkdown && escape === escapeMarkdown) return value.text;
  const text = toText(value);
  return escape ? escape(text) : text;
}

function outputEscape(this: unknown, value: unknown): string {
  return escapedText(value, currentEscape);
}

function useMemory(impl: FilterImpl, size: number): void {
  impl.context?.memoryLimit?.use(size);
}

export const liquid = new Liquid({
  fs: noFileSystem,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  dynamicPartials: true,
  cache: false,
  ownPropertyOnly: true,
  strictVariables: false,
  strictFilters: true,
  jsTruthy: false,
  outputEscape,
  ...LIMITS,
});

for (const name of Object.keys(liquid.tags)) {
  if (!ALLOWED_TAGS.includes(name)) delete liquid.tags[name];
}

liquid.registerFilter('json', function (this: FilterImpl, value: unknown, space?: unknown) {
  const indent = typeof space === 'number' || typeof space === 'string' ? space : undefined;
  const text = JSON.stringify(toValue(value) ?? null, null, indent) ?? 'null';
  useMemory(this, text.length);
  return text;
});

liquid.registerFilter('json_parse', function (this: FilterImpl, value: unknown) {
  const v: unknown = toValue(value);
  if (typeof v !== 'string') return v;
  useMemory(this, v.length);
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new Error(`json_parse: ${(e as Error).message}`);
  }
});

liquid.registerFilter('entries', function (this: FilterImpl, value: unknown) {
  const v: unknown = toValue(value);
  if (v === null || typeof v !== 'object') return [];
  const entries = Object.entries(v as Record<string, unknown>);
  useMemory(this, entries.length);
  return entries;
});

liquid.registerFilter('markdown', function (this: FilterImpl, value: unknown) {
  const text = toText(value);
  useMemory(this, text.length);
  return new TrustedMarkdown(text);
});

// LiquidJS's `raw` filter skips outputEscape, which would skip the JSON rendering of arrays/objects
// and the KQL quoting of conditions: here it is a plain identity filter.
liquid.registerFilter('raw', (value: unknown) => value);

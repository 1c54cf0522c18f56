/** Is a value a usable JSON Schema (draft-07, ajv-formats, strict off)? Used for waitForInput/ai.prompt schemas and inputs. */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { pointerToPath, Segment } from './path';

let shared: Ajv | undefined;

function instance(): Ajv {
  if (!shared) {
    shared = new Ajv({ allErrors: true, strict: false });
    addFormats(shared);
  }
  return shared;
}

export interface SchemaIssue {
  /** path inside the schema */
  path: Segment[];
  message: string;
}

/** null when `schema` is a valid draft-07 JSON Schema that compiles, else the first issue. */
export function checkJsonSchema(schema: unknown): SchemaIssue | null {
  const ajv = instance();
  if (!ajv.validateSchema(schema as object)) {
    const e = ajv.errors?.[0];
    if (!e) return { path: [], message: 'invalid JSON Schema' };
    const params = e.params as Record<string, unknown>;
    const detail =
      e.keyword === 'enum'
        ? `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`
        : e.keyword === 'type'
          ? `must be ${Array.isArray(params.type) ? params.type.join(' or ') : params.type}`
          : (e.message ?? e.keyword);
    return { path: pointerToPath(e.instancePath, schema), message: `invalid JSON Schema: ${detail}` };
  }
  try {
    ajv.compile(schema as object);
    return null;
  } catch (err) {
    return { path: [], message: `invalid JSON Schema: ${(err as Error).message}` };
  } finally {
    try {
      ajv.removeSchema(schema as object);
    } catch {
      // not added
    }
  }
}

/** Does `value` satisfy `schema`? (for defaults of list-form inputs) */
export function valueMatches(schema: object, value: unknown): string | null {
  const ajv = instance();
  try {
    const validate = ajv.compile(schema);
    const ok = validate(value);
    ajv.removeSchema(schema);
    return ok ? null : (validate.errors?.[0]?.message ?? 'invalid');
  } catch (err) {
    return (err as Error).message;
  }
}

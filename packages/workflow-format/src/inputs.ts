/**
 * Manual-run inputs: a JSON Schema object, or Kibana's list form
 * `[{ name, type: string|number|boolean|choice|array, description, default, required, options }]`,
 * turned into the equivalent JSON Schema (as Kibana does).
 */
import type { JsonSchema } from './types';

export interface InputListItem {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'choice' | 'array' | 'object';
  description?: string;
  default?: unknown;
  required?: boolean;
  options?: Array<string | number | boolean>;
  minItems?: number;
  maxItems?: number;
}

/** The JSON Schema of one list-form input. */
export function inputItemToJsonSchema(input: InputListItem): JsonSchema {
  const prop: JsonSchema = { type: input.type === 'choice' ? 'string' : input.type };
  if (input.description !== undefined) prop.description = input.description;
  if (input.default !== undefined) prop.default = input.default;
  if (input.type === 'choice') {
    const options = input.options ?? [];
    prop.enum = options;
    // a choice among numbers or booleans keeps their type
    const types = [...new Set(options.map((o) => typeof o))];
    if (types.length === 1 && types[0] !== 'string') prop.type = types[0];
    else if (types.length > 1) delete prop.type;
  }
  if (input.type === 'array') {
    prop.items = { type: ['string', 'number', 'boolean'] };
    if (input.minItems !== undefined) prop.minItems = input.minItems;
    if (input.maxItems !== undefined) prop.maxItems = input.maxItems;
  }
  return prop;
}

/** List form → `{ type: object, properties, required?, additionalProperties: false }`; an object is returned as is. */
export function inputsToJsonSchema(inputs: InputListItem[] | JsonSchema): JsonSchema {
  if (!Array.isArray(inputs)) return inputs;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const input of inputs) {
    properties[input.name] = inputItemToJsonSchema(input);
    if (input.required === true) required.push(input.name);
  }
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

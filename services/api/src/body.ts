import express, { type Request, type RequestHandler } from 'express';
import { isPlainObject } from '@flowgate/template';
import { badRequest } from './errors';

export const MiB = 1024 * 1024;

/**
 * Reads the body as bytes, whatever its content type, up to `limit` (beyond: 413 payload_too_large
 * through the error handler). Routes then decide how to parse it: JSON, YAML or NDJSON.
 */
export function rawBody(limit: number): RequestHandler {
  return express.raw({ type: () => true, limit });
}

/** The body as text, or null when the request has none. */
export function bodyText(req: Request): string | null {
  const b: unknown = req.body;
  if (!Buffer.isBuffer(b) || b.length === 0) return null;
  const text = b.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The media type of the request, lower case, without parameters ('' when absent). */
export function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

export function isYamlRequest(req: Request): boolean {
  return YAML_TYPES.includes(mediaType(req));
}

/**
 * The body parsed as JSON (any content type: curl's default form type included); undefined when
 * there is no body. Malformed JSON is a 400 naming the problem.
 */
export function jsonBody(req: Request): unknown {
  const text = bodyText(req);
  if (text === null || text.trim() === '') return undefined;
  return parseJson(text, 'the JSON body');
}

/** How deep a JSON body (or a `_bulk` line) may nest arrays and objects. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `max`, by one scan of the text (no
 * recursion, before JSON.parse): a 100,000-deep value can neither overflow the stack here nor
 * reach code that walks it recursively (JSON.stringify, templates, conditions).
 */
export function nestedDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export function parseJson(text: string, what: string): unknown {
  if (nestedDeeperThan(text)) throw badRequest(`${what} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON in ${what}: ${(err as Error).message}`);
  }
}

/** A body that must be a JSON object (or absent, when `optional`). */
export function jsonObjectBody(req: Request, optional = false): Record<string, unknown> {
  const body = jsonBody(req);
  if (body === undefined && optional) return {};
  if (!isPlainObject(body)) throw badRequest(`the body must be a JSON object, got ${describe(body)}`);
  return body;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'no body';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A path parameter as text (express 5 types allow arrays for wildcards). */
export function param(req: Request, name: string): string {
  const v = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}

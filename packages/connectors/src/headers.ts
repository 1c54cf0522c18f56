/**
 * HTTP header rules shared by connectors.yaml (config.ts) and the `http` step (http.ts): the syntax of
 * names and values, and the headers Flowgate owns. Lists hold lower-case names.
 */

// RFC 9110 field-name: one or more tchar.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Header values: visible ASCII, space, tab and obs-text; never CR, LF or NUL (no header injection).
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

export function isHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/**
 * Headers a connector may not set: connectors.yaml naming one is refused at load (an operator's
 * mistake is reported, not hidden). Only the headers Flowgate itself sets or that frame the request.
 */
export const FORBIDDEN_CONNECTOR_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'idempotency-key']);

/**
 * Headers a step's `with.headers` may name but that are never sent: dropped silently (a workflow
 * copied from elsewhere keeps running). A longer list than the connectors': besides the headers Flowgate
 * sets and those that frame the request, the hop-by-hop and proxy headers (a step must not reshape the
 * connection) and Accept-Encoding (the body is read as it comes: a compressed answer would be unreadable).
 */
export const DROPPED_STEP_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
  'proxy-authorization',
  'accept-encoding',
  'idempotency-key',
]);

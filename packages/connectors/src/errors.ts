/** Mapping of client failures to StepError (docs/workflows.md "Failure handling": network errors and timeouts are retryable). */
import { StepError } from '@flowgate/engine';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** The first `code` found on the error or its causes (undici and fetch wrap the socket error). */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  // Some clients keep only the message ("connect ECONNREFUSED 127.0.0.1:9200").
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const m = /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/.exec(message);
  return m ? m[1] : undefined;
}

/** The innermost message of an error chain, for "cannot reach" lines. */
export function rootMessage(err: unknown): string {
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    if (e instanceof Error && e.message) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}

/** A failure to talk to `where` at all: retryable, except certificate problems (configuration). */
export function networkError(err: unknown, label: string, where: string): StepError {
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) {
    return new StepError('timeout', `${label}: ${where} did not answer in time (${code})`, { retryable: true, details: { code } });
  }
  if (code && TLS_CODES.has(code)) {
    return new StepError('tls_error', `${label}: TLS error with ${where}: ${rootMessage(err)} (${code})`, { details: { code } });
  }
  return new StepError('network', `${label}: cannot reach ${where} (${code ?? rootMessage(err)})`, { retryable: true, details: code ? { code } : undefined });
}

/** The error of an aborted call: the signal's own StepError (timeout, cancel) when it has one. */
export function abortError(signal: AbortSignal, label: string): StepError {
  const reason: unknown = signal.reason;
  if (reason instanceof StepError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return new StepError('timeout', `${label}: ${reason.message || 'timed out'}`, { retryable: true });
  return new StepError('cancelled', `${label}: aborted${reason instanceof Error && reason.message ? ` (${reason.message})` : ''}`);
}

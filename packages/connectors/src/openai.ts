/**
 * OpenAI-compatible chat completions through the official `openai` client (v4): client
 * construction from a connector (targetUrl included), one structured (json_schema) call, and
 * error mapping to StepError. Works with any server that speaks `POST {url}/chat/completions`.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { StepError } from '@flowgate/engine';
import type { OpenAIConnector } from './config';
import { abortError, networkError } from './errors';
import { remappingConnect } from './net';

const MAX_RETRY_DELAY_MS = 8000;

export interface OpenAIClientHandle {
  client: OpenAI;
  dispatcher: Agent;
}

export function createOpenAIClient(connector: OpenAIConnector): OpenAIClientHandle {
  const dispatcher = new Agent({ connect: remappingConnect(connector.targetUrl, connector.tls) });
  const client = new OpenAI({
    // A server that needs no key (a local model) still gets a placeholder: the client insists on one.
    apiKey: connector.apiKey ?? 'none',
    baseURL: connector.url,
    // Never taken from the process environment (OPENAI_ORG_ID, OPENAI_PROJECT_ID).
    organization: null,
    project: null,
    maxRetries: connector.maxRetries,
    timeout: 10 * 60_000,
    defaultHeaders: {
      ...(connector.apiKey === undefined ? { Authorization: null } : {}),
      ...connector.headers,
    } as Record<string, string>,
    // undici's fetch with the connector's dispatcher: requests keep the connector's URL (Host, TLS
    // name) and really go to targetUrl when one is set.
    fetch: ((url: string, init: Record<string, unknown>) => undiciFetch(url, { ...init, dispatcher } as never)) as never,
  });
  // The client's backoff (0.5 s doubling, at most 8 s) with a configurable first delay; a
  // Retry-After / retry-after-ms answer under 60 s still wins (the client reads those first).
  const hook = client as unknown as { calculateDefaultRetryTimeoutMillis?: (remaining: number, max: number) => number };
  if (typeof hook.calculateDefaultRetryTimeoutMillis === 'function') {
    hook.calculateDefaultRetryTimeoutMillis = (remaining: number, max: number) =>
      Math.min(connector.retryDelayMs * 2 ** Math.max(0, max - remaining), MAX_RETRY_DELAY_MS) * (1 - Math.random() * 0.25);
  }
  return { client, dispatcher };
}

export interface ChatJsonRequest {
  label: string;
  system: string;
  user: string;
  schemaName: string;
  schema: Record<string, unknown>;
  strict: boolean;
  /** sampling temperature (0–2); the model's default when absent */
  temperature?: number;
  signal?: AbortSignal;
}

export interface ChatJsonResult {
  /** the message content parsed as JSON; undefined when it is not JSON */
  value: unknown;
  /** whether the content parsed as JSON */
  json: boolean;
  /** the message content as received */
  text: string;
  /** `length` when the answer was cut by the model's token limit */
  finishReason?: string;
  model?: string;
}

/** Strips a Markdown code fence some compatible servers wrap JSON in. */
function unfence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return m ? m[1] : text;
}

/** One chat completion with `response_format: json_schema`; the message content parsed as JSON. */
export async function chatJson(handle: OpenAIClientHandle, connector: OpenAIConnector, req: ChatJsonRequest): Promise<ChatJsonResult> {
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await handle.client.chat.completions.create(
      {
        model: connector.model,
        messages: [
          { role: 'system', content: req.system },
          { role: 'user', content: req.user },
        ],
        response_format: { type: 'json_schema', json_schema: { name: req.schemaName, strict: req.strict, schema: req.schema } },
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      },
      { signal: req.signal },
    );
  } catch (err) {
    throw mapOpenAIError(err, connector, req.label, req.signal);
  }
  const choice = completion?.choices?.[0];
  const message = choice?.message;
  if (message?.refusal) throw new StepError('ai_refused', `${req.label}: the model refused: ${message.refusal}`);
  const content = message?.content;
  if (typeof content !== 'string' || content.trim() === '') {
    throw new StepError('ai_invalid_response', `${req.label}: the model's answer has no content${choice?.finish_reason ? ` (finish_reason ${choice.finish_reason})` : ''}`);
  }
  const base = { text: content, model: completion.model, ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}) };
  try {
    return { ...base, value: JSON.parse(unfence(content)), json: true };
  } catch {
    return { ...base, value: undefined, json: false };
  }
}

/** The error of an answer that is not the JSON asked for. */
export function invalidAnswer(label: string, result: ChatJsonResult, why = 'is not JSON'): StepError {
  const cut = result.finishReason === 'length' ? ' (cut by the model\'s token limit)' : '';
  const excerpt = result.text.length > 200 ? `${result.text.slice(0, 200)}…` : result.text;
  return new StepError('ai_invalid_response', `${label}: the model's answer ${why}${cut}: ${excerpt}`);
}

export function mapOpenAIError(err: unknown, connector: OpenAIConnector, label: string, signal?: AbortSignal): StepError {
  if (err instanceof StepError) return err;
  if (signal?.aborted || err instanceof APIUserAbortError) return signal ? abortError(signal, label) : new StepError('cancelled', `${label}: aborted`);
  const where = connector.targetUrl ? `${connector.url} (via ${connector.targetUrl})` : connector.url;
  if (err instanceof APIConnectionTimeoutError) return new StepError('timeout', `${label}: ${where} did not answer in time`, { retryable: true });
  if (err instanceof APIConnectionError) return networkError(err.cause ?? err, label, where);
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const detail = err.message.replace(/^\d{3}\s*/, '');
    return new StepError('http_error', `${label}: connector "${connector.id}" answered ${status}${detail ? `: ${detail}` : ''}`, {
      retryable: StepError.retryableStatus(status),
      details: { status, ...(err.code ? { code: err.code } : {}) },
    });
  }
  return new StepError('step_error', `${label}: ${err instanceof Error ? err.message : String(err)}`);
}

/** ~4 characters per token: the usual rough measure for English and JSON text. */
export const CHARS_PER_TOKEN = 4;

/**
 * Cuts `text` to the connector's token budget (`maxInputTokens` × 4 characters, less what the rest
 * of the prompt takes, never under 1,000 characters). A cut text ends with a note saying so.
 */
export function fitToTokenBudget(text: string, maxInputTokens: number, reservedChars = 0): { text: string; truncated: boolean } {
  const budget = Math.max(1000, maxInputTokens * CHARS_PER_TOKEN - reservedChars);
  if (text.length <= budget) return { text, truncated: false };
  const note = `\n[truncated: the input was ${text.length} characters, only the first part is shown]`;
  let cut = text.slice(0, Math.max(0, budget - note.length));
  // Never leave half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return { text: cut + note, truncated: true };
}

/**
 * E-mail over SMTP (docs/connectors.md "type: email"), through `nodemailer`: one connection per
 * message (no pool), a text and an HTML part, bounded connect/greeting/socket timeouts, no logging.
 */
import { createTransport } from 'nodemailer';
import type { EmailConnector } from '../config';
import { isEmailAddress } from '../config';
import { abortedError, connectError, NOTIFY_TIMEOUT_MS, NotifyError, sendSignal } from './errors';
import { connectorRedactor } from './secrets';

export interface EmailMessage {
  to: string[];
  /** optional copies (the `email` step's `cc` and `bcc`) */
  cc?: string[];
  bcc?: string[];
  subject: string;
  text: string;
  html: string;
}

export interface EmailResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** The SMTP timeouts (ms): connecting, the server's greeting, an idle socket. */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000, dnsTimeout: 10_000 } as const;

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROXY']);

function addressList(value: unknown[] | undefined): string[] {
  return (value ?? []).map((a) => (typeof a === 'string' ? a : String((a as { address?: unknown }).address ?? '')));
}

/** Sends one message. Throws NotifyError (channel `email`); SMTP 4xx replies and connection errors are retryable, 5xx not. */
export async function sendEmail(connector: EmailConnector, message: EmailMessage, signal?: AbortSignal): Promise<EmailResult> {
  const id = connector.id;
  const redactor = connectorRedactor(connector);
  const where = `${connector.host}:${connector.port}`;
  const list = (v: unknown) => (Array.isArray(v) ? v.map((a) => String(a).trim()).filter((a) => a !== '') : []);
  const to = list(message?.to);
  const cc = list(message?.cc);
  const bcc = list(message?.bcc);
  if (to.length === 0) throw new NotifyError('email', id, 'no recipients', false, { code: 'invalid_message' });
  const bad = [...to, ...cc, ...bcc].find((a) => !isEmailAddress(a, true));
  if (bad !== undefined) throw new NotifyError('email', id, `"${bad.slice(0, 100)}" is not an e-mail address`, false, { code: 'invalid_message' });
  if (typeof message.subject !== 'string' || /[\r\n]/.test(message.subject)) {
    throw new NotifyError('email', id, 'the subject must be one line of text', false, { code: 'invalid_message' });
  }
  const deadline = sendSignal(signal, NOTIFY_TIMEOUT_MS * 2);
  const transport = createTransport({
    host: connector.host,
    port: connector.port,
    secure: connector.secure,
    ...(connector.user !== undefined ? { auth: { user: connector.user, pass: connector.password ?? '' } } : {}),
    ...(connector.tls ? { tls: { ...(connector.tls.ca ? { ca: connector.tls.ca } : {}), rejectUnauthorized: connector.tls.rejectUnauthorized ?? true } } : {}),
    ...SMTP_TIMEOUTS,
    logger: false,
    debug: false,
  });
  try {
    const copies = { ...(cc.length ? { cc } : {}), ...(bcc.length ? { bcc } : {}) };
    const info = await transport.sendMail({ from: connector.from, to, ...copies, subject: message.subject, text: message.text, html: message.html, signal: deadline });
    return { messageId: String(info.messageId ?? ''), accepted: addressList(info.accepted), rejected: addressList(info.rejected) };
  } catch (err) {
    throw mapSmtpError(err, id, where, deadline, redactor);
  } finally {
    transport.close();
  }
}

function mapSmtpError(err: unknown, id: string, where: string, deadline: AbortSignal, redactor: ReturnType<typeof connectorRedactor>): NotifyError {
  const e = (err ?? {}) as { code?: string; responseCode?: number; response?: string; command?: string; originalCode?: string; message?: string };
  if (deadline.aborted || e.code === 'EABORT') return abortedError('email', id, deadline, where);
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    const reply = redactor.redactString(String(e.response ?? e.message ?? '')).replace(/\s+/g, ' ').trim().slice(0, 200);
    // RFC 5321: 4yz transient, 5yz permanent (503, a bad command sequence, is worth a new connection).
    const retryable = e.responseCode < 500 || e.responseCode === 503;
    const what = e.code === 'EAUTH' ? 'authentication failed' : `the server refused ${e.command ? e.command.split(' ')[0] : 'the message'}`;
    return new NotifyError('email', id, `${where}: ${what}: ${reply}`, retryable, { status: e.responseCode, code: e.code ?? 'ESMTP' });
  }
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return new NotifyError('email', id, `${where}: authentication failed`, false, { code: e.code });
  if (e.code === 'ETLS') return new NotifyError('email', id, `${where}: TLS failed: ${redactor.redactString(String(e.message ?? ''))}`, false, { code: e.code });
  if (e.code && NETWORK_CODES.has(e.code)) {
    const code = e.originalCode ?? e.code;
    if (e.code === 'ETIMEDOUT') return new NotifyError('email', id, `${where} did not answer in time`, true, { code });
    return new NotifyError('email', id, `cannot reach ${where} (${code})`, true, { code });
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'ECONFIG') {
    return new NotifyError('email', id, `${redactor.redactString(String(e.message ?? e.code))}`, false, { code: e.code });
  }
  return connectError('email', id, err, where, redactor);
}

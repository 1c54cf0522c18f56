/**
 * The secrets of the notification connectors, see docs/connectors.md "Secrets stay out of records, logs and answers":
 * the Slack webhook URL (and its path, which is the credential), the Slack token and signing secret,
 * the SMTP password (and the AUTH PLAIN / AUTH LOGIN encodings of it).
 */
import type { NotifyConnector } from '../config';
import { Redactor } from '../redact';

export function connectorSecrets(c: NotifyConnector): string[] {
  if (c.type === 'slack') {
    const out = [c.url];
    try {
      const u = new URL(c.url);
      if (u.pathname.length > 1) out.push(u.pathname, u.pathname.replace(/^\//, ''));
      const last = u.pathname.split('/').filter(Boolean).pop();
      if (last) out.push(last);
    } catch {
      /* validated at load time */
    }
    return out;
  }
  if (c.type === 'slack_api') {
    return [c.token, `Bearer ${c.token}`, ...(c.signingSecret ? [c.signingSecret] : [])];
  }
  if (c.password === undefined || c.password === '') return [];
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [c.password, b64(c.password), b64(`\u0000${c.user ?? ''}\u0000${c.password}`), b64(`${c.user ?? ''}:${c.password}`)];
}

/** The redactor of one connector's secrets (the registry's redacts every connector's). */
export function connectorRedactor(c: NotifyConnector): Redactor {
  return new Redactor(connectorSecrets(c));
}

/**
 * The two HTML pages an answer link may end on when a browser posted a plain form (the web app asks
 * for JSON and shows its own): the answer was recorded, or the link is gone (and who answered).
 * Every value is escaped; no script, no inline style (the CSP allows neither).
 */
import type { GoneLink } from '@flowgate/executor';
import { escapeHtml } from '@flowgate/template';


function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Flowgate</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function describeAnswer(answer: Record<string, unknown>): string {
  if (typeof answer.approved === 'boolean' && Object.keys(answer).every((k) => k === 'approved' || k === 'notes')) {
    return answer.approved ? 'Approved' : 'Declined';
  }
  return 'Answer recorded';
}

export function confirmationPage(result: { executionId: string; step: string; respondedBy: string; answer: Record<string, unknown> }): string {
  const rows = Object.entries(result.answer)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('');
  return page(
    describeAnswer(result.answer),
    `<p>Thank you: your answer to step <code>${escapeHtml(result.step)}</code> of execution <code>${escapeHtml(result.executionId)}</code> was recorded as ${escapeHtml(result.respondedBy)}. The link cannot be used again.</p><table>${rows}</table>`,
  );
}

export function gonePage(g: GoneLink): string {
  const who = g.respondedBy ? `<p>Answered by ${escapeHtml(g.respondedBy)}${g.respondedAt ? ` at ${escapeHtml(new Date(g.respondedAt).toISOString())}` : ''}.</p>` : '';
  return page('This link can no longer be used', `<p>${escapeHtml(g.message)}.</p>${who}`);
}

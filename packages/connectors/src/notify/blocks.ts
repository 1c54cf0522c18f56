/**
 * Slack Block Kit for a wait step's notification (docs/connectors.md "Slack approval messages"): the
 * message as a mrkdwn section, then one actions block with link buttons (Approve / Decline / Open the
 * form: each opens a URL) and, for a `slack_api` connector with a signing secret, interactive buttons
 * whose clicks Slack posts back signed (`action_id` + `value`).
 */
import type { ActionsBlock, Block, Button, KnownBlock, SectionBlock } from '@slack/types';

export type SlackBlock = KnownBlock | Block;

/** Slack's limits (Block Kit reference): section text 3000, button text 75, url 3000, value 2000, action_id 255, 25 elements. */
export const SLACK_LIMITS = { sectionText: 3000, buttonText: 75, url: 3000, value: 2000, actionId: 255, elements: 25, fallbackText: 4000 } as const;

export type SlackButtonStyle = 'primary' | 'danger';

export interface SlackLinkButton {
  /** the button's label, e.g. "Approve", "Decline", "Open the form" */
  label: string;
  url: string;
  style?: SlackButtonStyle;
}

export interface SlackActionButton {
  label: string;
  /** Slack posts it back as `actions[0].action_id` */
  actionId: string;
  /** Slack posts it back as `actions[0].value` */
  value: string;
  style?: SlackButtonStyle;
}

export interface SlackApprovalInput {
  /** the message, mrkdwn (escape untrusted parts with escapeSlackText) */
  text: string;
  /** link buttons, in order */
  links?: SlackLinkButton[];
  /** interactive buttons, after the links (only when the connector has a signing secret) */
  actions?: SlackActionButton[];
  /** the block_id of the actions block (default `flowgate_actions`) */
  blockId?: string;
}

/** `&`, `<` and `>` as Slack wants them in text (so that `<` in data does not become a link or mention). */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function button(label: string, style: SlackButtonStyle | undefined): Pick<Button, 'type' | 'text' | 'style'> {
  return { type: 'button', text: { type: 'plain_text', text: cut(label.trim() || '?', SLACK_LIMITS.buttonText), emoji: true }, ...(style ? { style } : {}) };
}

/**
 * `{text, blocks}` for chat.postMessage or an incoming webhook: `text` is the notification/fallback
 * text, `blocks` the section and the buttons. Throws a TypeError on a URL that is not http(s), an
 * over-long action_id/value or more than 25 buttons (programming errors, not delivery errors).
 */
export function slackApprovalMessage(input: SlackApprovalInput): { text: string; blocks: SlackBlock[] } {
  const section: SectionBlock = { type: 'section', text: { type: 'mrkdwn', text: cut(input.text, SLACK_LIMITS.sectionText) } };
  const blocks: SlackBlock[] = [section];
  const elements: Button[] = [];
  for (const link of input.links ?? []) {
    if (!/^https?:\/\//i.test(link.url)) throw new TypeError(`slackApprovalMessage: the "${link.label}" link is not an http(s) URL`);
    if (link.url.length > SLACK_LIMITS.url) throw new TypeError(`slackApprovalMessage: the "${link.label}" link is over ${SLACK_LIMITS.url} characters`);
    elements.push({ ...button(link.label, link.style), url: link.url });
  }
  const ids = new Set<string>();
  for (const action of input.actions ?? []) {
    if (action.actionId === '' || action.actionId.length > SLACK_LIMITS.actionId) throw new TypeError(`slackApprovalMessage: action_id must be 1-${SLACK_LIMITS.actionId} characters`);
    if (ids.has(action.actionId)) throw new TypeError(`slackApprovalMessage: action_id "${action.actionId}" is used twice`);
    ids.add(action.actionId);
    if (action.value.length > SLACK_LIMITS.value) throw new TypeError(`slackApprovalMessage: the value of "${action.actionId}" is over ${SLACK_LIMITS.value} characters`);
    elements.push({ ...button(action.label, action.style), action_id: action.actionId, value: action.value });
  }
  if (elements.length > SLACK_LIMITS.elements) throw new TypeError(`slackApprovalMessage: at most ${SLACK_LIMITS.elements} buttons`);
  if (elements.length > 0) {
    const actions: ActionsBlock = { type: 'actions', block_id: input.blockId ?? 'flowgate_actions', elements };
    blocks.push(actions);
  }
  return { text: cut(input.text, SLACK_LIMITS.fallbackText), blocks };
}

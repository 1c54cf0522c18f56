/** Notification senders and helpers of the wait steps' channels (docs/connectors.md "Notification channels"). */
export { NOTIFY_TIMEOUT_MS, NotifyError, retryableHttpStatus } from './errors';
export type { NotifyChannel, NotifyErrorDetails } from './errors';
export { connectorRedactor, connectorSecrets } from './secrets';
export { sendSlackWebhook } from './slack-webhook';
export type { SlackWebhookMessage } from './slack-webhook';
export { postSlackMessage, RETRYABLE_SLACK_ERRORS } from './slack-api';
export type { SlackPostMessage, SlackPostResult } from './slack-api';
export { sendEmail, SMTP_TIMEOUTS } from './email';
export type { EmailMessage, EmailResult } from './email';
export { postWebhook } from './webhook';
export type { PostWebhookOptions } from './webhook';
export { SLACK_SIGNATURE_MAX_AGE_S, signSlackRequest, verifySlackSignature } from './slack-signature';
export type { SlackSignatureInput } from './slack-signature';
export { escapeSlackText, SLACK_LIMITS, slackApprovalMessage } from './blocks';
export type { SlackActionButton, SlackApprovalInput, SlackBlock, SlackButtonStyle, SlackLinkButton } from './blocks';

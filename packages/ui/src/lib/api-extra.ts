/**
 * Hand-written API shapes that docs/openapi.yaml does not declare yet (so api-types.ts cannot carry
 * them). Each one follows the lead's contract (notes "Issue 13 — API for the UI"); once openapi.yaml
 * declares it, replace it here by the generated type in api.ts and delete it.
 */

/** One message a local stand-in (Slack or SMTP, `flowgate up`) received. */
export interface ReceivedMessage {
  source: 'slack' | 'email';
  at: string;
  title: string;
  to: string | null;
  text: string;
  links: string[];
}

/** GET /api/standins/received: `enabled` is false when no stand-ins are configured. */
export interface ReceivedMessages {
  enabled: boolean;
  messages: ReceivedMessage[];
}

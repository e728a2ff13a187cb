import { z } from 'zod';
import { envelopeSchema, type Envelope } from './envelope';
import { TOPICS } from './topics';
import { createAccessRequestCommandSchema } from './messages/access-request-fields';
import { accessRequestedEventSchema } from './messages/access-requested.event';
import { accessReviewQuerySchema, accessReviewResultSchema } from './messages/access-review';
import { auditQueryResultSchema, auditQuerySchema } from './messages/audit-query';
import { slackAckSchema, slackDeliverySchema } from './messages/slack-delivery';
import { beginLinkQuerySchema, beginLinkReplySchema, completeLinkCommandSchema, completeLinkReplySchema, identityLinkedEventSchema, identityUnlinkedEventSchema } from './messages/identity-link';
import { slackDeliveryFailedEventSchema } from './messages/slack-events';
import { accessApprovedEventSchema, accessDeniedEventSchema, actionRefusedEventSchema, decisionRecordedEventSchema } from './messages/decision-events';
import {
  grantCommandSchema,
  grantedEventSchema,
  reconciledEventSchema,
  provisioningFailedEventSchema,
  revokeCommandSchema,
  revokedEventSchema,
} from './messages/provisioning';
import {
  activatedEventSchema,
  cancelledEventSchema,
  cancelRequestCommandSchema,
  endedEventSchema,
  expiringEventSchema,
  approversRemindedEventSchema,
  escalatedEventSchema,
  grantFailedEventSchema,
  grantingEventSchema,
  revokeFailedEventSchema,
  revokeRequestCommandSchema,
  revokingEventSchema,
  timedOutEventSchema,
} from './messages/lifecycle-events';
import {
  createRequestReplySchema,
  getRequestQuerySchema,
  getRequestReplySchema,
  listFlowsReplySchema,
  listRequestsQuerySchema,
  listRequestsReplySchema,
  submitDecisionCommandSchema,
  submitDecisionReplySchema,
  changeReplySchema,
  followUpRequestCommandSchema,
  listFlowsQuerySchema,
  authorizeQuerySchema,
  authorizeReplySchema,
} from './messages/request-commands';

/**
 * Every message type Gatehouse knows: its topic, schema version and data schema, and for
 * request/reply queries the schema of the reply. Producers and consumers both validate
 * against this one table, so a name and its payload can never drift apart.
 */
export const MESSAGES = {
  'access.request.create': {
    kind: 'command',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: createAccessRequestCommandSchema,
    reply: createRequestReplySchema,
  },
  'access.request.follow_up': {
    kind: 'command',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: followUpRequestCommandSchema,
    reply: createRequestReplySchema,
  },
  'access.decision.submit': {
    kind: 'command',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: submitDecisionCommandSchema,
    reply: submitDecisionReplySchema,
  },
  'access.request.get': {
    kind: 'query',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: getRequestQuerySchema,
    reply: getRequestReplySchema,
  },
  'access.request.list': {
    kind: 'query',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: listRequestsQuerySchema,
    reply: listRequestsReplySchema,
  },
  'flows.list': {
    kind: 'query',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: listFlowsQuerySchema,
    reply: listFlowsReplySchema,
  },
  'access.authorize': {
    kind: 'query',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: authorizeQuerySchema,
    reply: authorizeReplySchema,
  },
  'access.request.cancel': {
    kind: 'command',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: cancelRequestCommandSchema,
    reply: changeReplySchema,
  },
  'access.request.revoke': {
    kind: 'command',
    topic: TOPICS.approvalCommands,
    schemaVersion: 1,
    data: revokeRequestCommandSchema,
    reply: changeReplySchema,
  },
  'provisioning.grant': { kind: 'command', topic: TOPICS.provisioningCommands, schemaVersion: 1, data: grantCommandSchema },
  'provisioning.revoke': { kind: 'command', topic: TOPICS.provisioningCommands, schemaVersion: 1, data: revokeCommandSchema },
  'provisioning.granted': { kind: 'event', topic: TOPICS.provisioningEvents, schemaVersion: 1, data: grantedEventSchema },
  'provisioning.grant_failed': { kind: 'event', topic: TOPICS.provisioningEvents, schemaVersion: 1, data: provisioningFailedEventSchema },
  'provisioning.revoked': { kind: 'event', topic: TOPICS.provisioningEvents, schemaVersion: 1, data: revokedEventSchema },
  'provisioning.revoke_failed': { kind: 'event', topic: TOPICS.provisioningEvents, schemaVersion: 1, data: provisioningFailedEventSchema },
  'provisioning.reconciled': { kind: 'event', topic: TOPICS.provisioningEvents, schemaVersion: 1, data: reconciledEventSchema },
  'access.granting': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: grantingEventSchema },
  'access.activated': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: activatedEventSchema },
  'access.grant_failed': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: grantFailedEventSchema },
  'access.revoking': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: revokingEventSchema },
  'access.revoke_failed': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: revokeFailedEventSchema },
  'access.ended': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: endedEventSchema },
  'access.cancelled': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: cancelledEventSchema },
  'access.timed_out': { kind: 'event', topic: TOPICS.accessEvents, schemaVersion: 1, data: timedOutEventSchema },
  'directory.memberships': {
    kind: 'query',
    topic: TOPICS.directoryQueries,
    schemaVersion: 1,
    data: z.object({ email: z.email(), groupIds: z.array(z.string()).min(1) }),
    reply: z.object({ memberOf: z.array(z.string()) }),
  },
  'directory.group_members': {
    kind: 'query',
    topic: TOPICS.directoryQueries,
    schemaVersion: 1,
    data: z.object({ groupId: z.string().min(1) }),
    reply: z.object({ members: z.array(z.object({ id: z.string(), email: z.string(), status: z.string() })) }),
  },
  'directory.user': {
    kind: 'query',
    topic: TOPICS.directoryQueries,
    schemaVersion: 1,
    data: z.object({ email: z.email() }),
    reply: z.object({ user: z.object({ id: z.string(), email: z.string(), status: z.string() }).nullable() }),
  },
  'access.decision.recorded': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: decisionRecordedEventSchema,
  },
  'access.approved': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: accessApprovedEventSchema,
  },
  'access.denied': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: accessDeniedEventSchema,
  },
  'access.refused': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: actionRefusedEventSchema,
  },
  'access.approvers_reminded': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: approversRemindedEventSchema,
  },
  'access.escalated': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: escalatedEventSchema,
  },
  'access.expiring': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: expiringEventSchema,
  },
  'access.requested': {
    kind: 'event',
    topic: TOPICS.accessEvents,
    schemaVersion: 1,
    data: accessRequestedEventSchema,
  },
  // A command, not a query: it carries a person's action. One that reaches slack-bot after the
  // gateway gave up waiting (and answered Slack itself) is still acted on; its late ack goes unread.
  'slack.delivery': {
    kind: 'command',
    topic: TOPICS.slackInbound,
    schemaVersion: 1,
    data: slackDeliverySchema,
    reply: slackAckSchema,
  },
  'slack.delivery_failed': {
    kind: 'event',
    topic: TOPICS.slackEvents,
    schemaVersion: 1,
    data: slackDeliveryFailedEventSchema,
  },
  'identity.link.begin': {
    kind: 'query',
    topic: TOPICS.slackInbound,
    schemaVersion: 1,
    data: beginLinkQuerySchema,
    reply: beginLinkReplySchema,
  },
  'identity.link.complete': {
    kind: 'command',
    topic: TOPICS.slackInbound,
    schemaVersion: 1,
    data: completeLinkCommandSchema,
    reply: completeLinkReplySchema,
  },
  'identity.linked': {
    kind: 'event',
    topic: TOPICS.slackEvents,
    schemaVersion: 1,
    data: identityLinkedEventSchema,
  },
  'identity.unlinked': {
    kind: 'event',
    topic: TOPICS.slackEvents,
    schemaVersion: 1,
    data: identityUnlinkedEventSchema,
  },
  'audit.query': {
    kind: 'query',
    topic: TOPICS.auditQueries,
    schemaVersion: 1,
    data: auditQuerySchema,
    reply: auditQueryResultSchema,
  },
  'audit.access_review': {
    kind: 'query',
    topic: TOPICS.auditQueries,
    schemaVersion: 1,
    data: accessReviewQuerySchema,
    reply: accessReviewResultSchema,
  },
} as const satisfies Record<string, MessageDefinition>;

interface MessageDefinition {
  kind: 'command' | 'event' | 'query';
  topic: string;
  schemaVersion: number;
  data: z.ZodType;
  reply?: z.ZodType;
}

export type MessageType = keyof typeof MESSAGES;
/** Types that are answered: queries, and commands whose sender waits for the outcome. */
export type QueryType = { [K in MessageType]: (typeof MESSAGES)[K] extends { reply: z.ZodType } ? K : never }[MessageType];
export type MessageData<T extends MessageType> = z.output<(typeof MESSAGES)[T]['data']>;
export type MessageInput<T extends MessageType> = z.input<(typeof MESSAGES)[T]['data']>;
export type ReplyData<T extends QueryType> = (typeof MESSAGES)[T] extends { reply: infer R extends z.ZodType } ? z.output<R> : never;
export type TypedEnvelope<T extends MessageType> = Envelope<MessageData<T>, T>;

/** Every event on the access events topic: what the audit trail records. */
export const ACCESS_EVENT_TYPES = (Object.keys(MESSAGES) as MessageType[]).filter(
  (type) => MESSAGES[type].topic === TOPICS.accessEvents,
);

/** Provisioning's own reports that belong in the audit trail too: the Okta memberships themselves, and reconciliation. */
export const AUDITED_PROVISIONING_EVENT_TYPES: MessageType[] = ['provisioning.granted', 'provisioning.revoked', 'provisioning.reconciled'];

/** slack-bot's reports that belong in the audit trail: what it could not deliver, and accounts linked or unlinked. */
export const AUDITED_SLACK_EVENT_TYPES: MessageType[] = ['slack.delivery_failed', 'identity.linked', 'identity.unlinked'];

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(MESSAGES, type);
}

export function topicOf(type: MessageType): string {
  return MESSAGES[type].topic;
}

export type ParseResult =
  | { ok: true; envelope: TypedEnvelope<MessageType> }
  | { ok: false; reason: string };

/** Validates an envelope and the data its type promises. Never throws. */
export function parseMessage(raw: unknown): ParseResult {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, reason: `invalid envelope: ${describeIssues(envelope.error)}` };
  const { type } = envelope.data;
  if (!isMessageType(type)) return { ok: false, reason: `unknown message type "${type}"` };
  const definition = MESSAGES[type];
  if (envelope.data.schemaVersion !== definition.schemaVersion) {
    return {
      ok: false,
      reason: `unsupported schemaVersion ${envelope.data.schemaVersion} for "${type}" (expected ${definition.schemaVersion})`,
    };
  }
  const data = definition.data.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `invalid data for "${type}": ${describeIssues(data.error)}` };
  return { ok: true, envelope: { ...envelope.data, type, data: data.data } as TypedEnvelope<MessageType> };
}

/** Validates the result of a query before it is sent back, and again when it arrives. */
export function parseReply<T extends QueryType>(type: T, raw: unknown): { ok: true; data: ReplyData<T> } | { ok: false; reason: string } {
  const definition: MessageDefinition = MESSAGES[type];
  if (!definition.reply) return { ok: false, reason: `"${type}" has no reply` };
  const parsed = definition.reply.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `invalid reply for "${type}": ${describeIssues(parsed.error)}` };
  return { ok: true, data: parsed.data as ReplyData<T> };
}

/** "field.path: message; other: message" — what a person needs to fix their input. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

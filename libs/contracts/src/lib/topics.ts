/**
 * Every topic Gatehouse uses, versioned. Messages are keyed by request id so one request's
 * events stay in order on one partition. Each topic has a dead-letter twin (`.dlq`).
 */
export const TOPICS = {
  accessEvents: 'gatehouse.access.events.v1',
  approvalCommands: 'gatehouse.approval.commands.v1',
  provisioningCommands: 'gatehouse.provisioning.commands.v1',
  provisioningEvents: 'gatehouse.provisioning.events.v1',
  slackInbound: 'gatehouse.slack.inbound.v1',
  slackEvents: 'gatehouse.slack.events.v1',
  audit: 'gatehouse.audit.v1',
  auditQueries: 'gatehouse.audit.queries.v1',
  directoryQueries: 'gatehouse.directory.queries.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const DLQ_SUFFIX = '.dlq';

export function deadLetterTopicOf(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

/** Replies to request/reply calls go to one topic per requesting service. */
export function replyTopicOf(service: string): string {
  return `gatehouse.${service}.replies.v1`;
}

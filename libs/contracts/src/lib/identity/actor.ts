import { z } from 'zod';
import { scopeSchema } from './scopes';

/** The channels an action can come through; each proves identity its own way. */
export const CHANNELS = ['api', 'slack', 'relay', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];

export const slackUserIdSchema = z.string().regex(/^[UW][A-Z0-9]+$/);

/** A person. Email is the identity every channel (API, Slack, Okta) can agree on. */
export const personSchema = z.object({
  email: z.email(),
  displayName: z.string().min(1).max(200).optional(),
  slackUserId: slackUserIdSchema.optional(),
});
export type Person = z.infer<typeof personSchema>;

/** A person proven by their channel: a personal API token, Slack's signature, or the relay. */
export const personActorSchema = z.object({
  kind: z.literal('person'),
  channel: z.enum(['api', 'slack', 'relay']),
  person: personSchema,
  /** The API or relay token that carried it. */
  tokenId: z.string().optional(),
  /**
   * For a Slack (or relayed Slack) user, how their email is known: from an Okta sign-in that
   * linked the Slack account (`linked`), or from their Slack profile (`slack-profile`).
   */
  identity: z.enum(['linked', 'slack-profile']).optional(),
});

/** An automation holding a service token; `onBehalfOf` only once act-as was accepted. */
export const serviceActorSchema = z.object({
  kind: z.literal('service'),
  channel: z.literal('api'),
  service: z.object({ tokenId: z.string().min(1), name: z.string().min(1) }),
  onBehalfOf: personSchema.optional(),
});

/** Gatehouse itself: timers (timeouts, expiries), provisioning results, reconciliation, rules. */
export const SYSTEM_COMPONENTS = ['timer', 'provisioning', 'reconciliation', 'auto-approval', 'slack-bot'] as const;
export const systemActorSchema = z.object({
  kind: z.literal('system'),
  channel: z.literal('system'),
  component: z.enum(SYSTEM_COMPONENTS),
});

/** Who did something, through which channel, and on whose behalf: every event names one. */
export const actorSchema = z.discriminatedUnion('kind', [personActorSchema, serviceActorSchema, systemActorSchema]);
export type Actor = z.infer<typeof actorSchema>;
export type PersonActor = z.infer<typeof personActorSchema>;
export type ServiceActor = z.infer<typeof serviceActorSchema>;
export type SystemActor = z.infer<typeof systemActorSchema>;
export type SystemComponent = (typeof SYSTEM_COMPONENTS)[number];

/**
 * The principal a command is sent for, as its channel proved it. The gateway (API tokens,
 * Slack signatures) fills it in; approval's policy decides what it may do. `onBehalfOf` is the
 * person the caller named (a body's requester/approver/actor, or the on-behalf-of header) when
 * that is not the proven person: only a service token with `act-as` may do that.
 */
export const principalSchema = z.object({
  actor: actorSchema,
  /** What the credential allows (API tokens). Slack and relay users hold a person's rights. */
  scopes: z.array(scopeSchema).default([]),
  onBehalfOf: personSchema.optional(),
});
export type Principal = z.infer<typeof principalSchema>;
export type PrincipalInput = z.input<typeof principalSchema>;

export function systemActor(component: SystemComponent): SystemActor {
  return { kind: 'system', channel: 'system', component };
}

/** The person an actor acts as or for, if any. */
export function personOf(actor: Actor): Person | undefined {
  if (actor.kind === 'person') return actor.person;
  if (actor.kind === 'service') return actor.onBehalfOf;
  return undefined;
}

/** "ada@example.com (slack)", "service ticketing on behalf of ada@example.com (api)", "system: timer". */
export function describeActor(actor: Actor): string {
  if (actor.kind === 'system') return `system: ${actor.component}`;
  if (actor.kind === 'person') return `${actor.person.email} (${actor.channel})`;
  const service = `service ${actor.service.name}`;
  return actor.onBehalfOf ? `${service} on behalf of ${actor.onBehalfOf.email} (${actor.channel})` : `${service} (${actor.channel})`;
}

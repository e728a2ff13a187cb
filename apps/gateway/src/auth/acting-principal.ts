import { BadRequestException } from '@nestjs/common';
import type { Person, Principal } from '@gatehouse/contracts';
import { z } from 'zod';
import type { AuthenticatedRequest } from './api-token.guard';

/** Names the person a service token with act-as acts for, on any route. */
export const ON_BEHALF_OF_HEADER = 'gatehouse-on-behalf-of';

/** A person named in a body (requester, approver, actor): a claim the policy checks, never proof. */
export const namedPersonSchema = z.strictObject({ email: z.email(), displayName: z.string().min(1).max(200).optional() });
export type NamedPerson = z.infer<typeof namedPersonSchema>;

/**
 * The principal a request to the API is for, as its token proves it. A personal token acts as
 * its owner; a service token as itself. A person named in the body or the on-behalf-of
 * header travels as `onBehalfOf` when it is not the owner, for approval's policy to accept
 * (service token with act-as) or refuse (anyone else) with a reason.
 */
export function actingPrincipal(req: AuthenticatedRequest, named?: NamedPerson): Principal {
  const header = req.header(ON_BEHALF_OF_HEADER)?.trim();
  if (header && !z.email().safeParse(header).success) throw new BadRequestException(`invalid request: ${ON_BEHALF_OF_HEADER}: not an email address`);
  if (header && named && header.toLowerCase() !== named.email.toLowerCase()) {
    throw new BadRequestException(`invalid request: the body names ${named.email} but ${ON_BEHALF_OF_HEADER} names ${header}; name one person`);
  }
  const claimed: Person | undefined = named ?? (header ? { email: header } : undefined);
  const { credential } = req;
  if (credential.kind === 'personal') {
    const own = !claimed || claimed.email.toLowerCase() === credential.ownerEmail;
    const person: Person = { email: credential.ownerEmail, ...(own && claimed?.displayName ? { displayName: claimed.displayName } : {}) };
    return { actor: { kind: 'person', channel: 'api', person, tokenId: credential.tokenId }, scopes: credential.scopes, ...(own ? {} : { onBehalfOf: claimed }) };
  }
  return {
    actor: { kind: 'service', channel: 'api', service: { tokenId: credential.tokenId, name: credential.name } },
    scopes: credential.scopes,
    ...(claimed ? { onBehalfOf: claimed } : {}),
  };
}

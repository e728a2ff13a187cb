import { Injectable } from '@nestjs/common';
import type { Flow } from '@gatehouse/config';
import { personOf, type Principal } from '@gatehouse/contracts';
import { DirectoryClient, DirectoryUnavailableError } from '../directory/directory-client';
import { FlowCatalog } from '../flows/flow-catalog';
import type { Action } from './actions';
import { authorize, type Authorization, type PolicyRequest } from './authorize';

/** Raised inside a transaction to roll it back and ask the directory (never hold a row lock across it). */
export class NeedsGroups extends Error {
  constructor(
    readonly email: string,
    readonly groups: string[],
  ) {
    super('needs the Okta groups of the acting person');
  }
}

export type Decided = Exclude<Authorization, { outcome: 'needs-groups' }>;

/**
 * Asks the policy with the facts it needs: the configured admins, and the acting person's
 * Okta groups when being an approver depends on them (asked of provisioning-okta).
 */
@Injectable()
export class Authorizer {
  constructor(
    private readonly flows: FlowCatalog,
    private readonly directory: DirectoryClient,
  ) {}

  /** Inside a transaction: throws NeedsGroups when groups are needed and not known yet. */
  check(action: Action, principal: Principal, request: PolicyRequest | undefined, flow: Flow | undefined, groups?: readonly string[]): Decided {
    const result = authorize(action, principal, request, flow, { admins: this.flows.admins(), groups });
    if (result.outcome !== 'needs-groups') return result;
    const person = personOf(principal.actor) ?? principal.onBehalfOf;
    if (!person) throw new Error(`policy asked for groups of "${action}" without a person acting`);
    throw new NeedsGroups(person.email, result.groups);
  }

  /**
   * Runs work that authorizes inside a transaction: if it needs the person's groups, the
   * transaction is thrown away, the directory is asked, and the work runs again with them.
   */
  async withGroups<T>(work: (groups?: readonly string[]) => Promise<T>, unavailable: (error: DirectoryUnavailableError) => T): Promise<T> {
    try {
      return await work(undefined);
    } catch (signal) {
      if (!(signal instanceof NeedsGroups)) throw signal;
      let groups: string[];
      try {
        groups = await this.directory.groupsOf(signal.email, signal.groups);
      } catch (error) {
        if (error instanceof DirectoryUnavailableError) return unavailable(error);
        throw error;
      }
      return work(groups);
    }
  }

  /** Outside any transaction (reads): asks the directory at once when needed. */
  async decide(action: Action, principal: Principal, request: PolicyRequest | undefined, flow: Flow | undefined): Promise<Decided> {
    return this.withGroups(
      async (groups) => this.check(action, principal, request, flow, groups),
      (error) => ({ outcome: 'refused', code: 'forbidden', message: error.message }),
    );
  }
}

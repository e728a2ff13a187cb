import { Inject, Injectable } from '@nestjs/common';
import { KafkaRequester } from '@gatehouse/messaging';
import { APPROVAL_CONFIG, type ApprovalConfig } from '../config';

export class DirectoryUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`cannot check Okta group membership right now (${cause instanceof Error ? cause.message : String(cause)}); try again in a minute, and if it goes on, tell your Gatehouse admin`);
    this.name = 'DirectoryUnavailableError';
  }
}

/**
 * Asks provisioning-okta (the only service that talks to Okta) which of the given groups a
 * person belongs to. Only asked when a rule depends on a group.
 */
@Injectable()
export class DirectoryClient {
  constructor(
    @Inject(KafkaRequester) private readonly requester: KafkaRequester,
    @Inject(APPROVAL_CONFIG) private readonly config: ApprovalConfig,
  ) {}

  async groupsOf(email: string, groupIds: readonly string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    try {
      const { memberOf } = await this.requester.request(
        'directory.memberships',
        email.toLowerCase(),
        { email, groupIds: [...groupIds] },
        { timeoutMs: this.config.directoryTimeoutMs },
      );
      return memberOf;
    } catch (error) {
      throw new DirectoryUnavailableError(error);
    }
  }
}

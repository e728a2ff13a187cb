import type { KafkaRequester } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';

/**
 * The emails of a set of approvers: the users listed, and the active members of the groups
 * (asked of provisioning-okta's directory). A group the directory cannot answer for is left
 * out, with a warning: its members are not asked by DM, and can still decide in the channel.
 */
export async function approverEmails(requester: KafkaRequester, logger: Logger, approvers: { users: string[]; groups: string[] }): Promise<string[]> {
  const emails = new Set(approvers.users.map((u) => u.toLowerCase()));
  for (const groupId of approvers.groups) {
    try {
      const { members } = await requester.request('directory.group_members', groupId, { groupId });
      for (const member of members) if (member.status === 'ACTIVE') emails.add(member.email.toLowerCase());
    } catch (error) {
      logger.warn({ err: error, groupId }, 'approver group members unknown (directory unavailable); its members are not asked by DM');
    }
  }
  return [...emails];
}

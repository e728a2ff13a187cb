import { z } from 'zod';
import { requireUniqueNames } from '../yaml/parse-yaml';
import { durationSchema } from './duration';

const oktaGroupId = z.string().regex(/^[0-9A-Za-z]{20}$/, 'an Okta group id is 20 letters and digits, e.g. 00g1a2b3c4d5e6f7g8h9');
const email = z.email();
const slackChannel = z.string().regex(/^(#[a-z0-9._-]{1,80}|[CG][A-Z0-9]{8,})$/, 'a channel name like "#access-requests" or a channel id');

export const targetSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"'),
  label: z.string().min(1).max(75),
  oktaGroupId,
  maxDuration: durationSchema.optional(),
});

export const reasonRuleSchema = z.strictObject({
  required: z.boolean().default(true),
  pattern: z
    .string()
    .refine((value) => {
      try {
        new RegExp(value);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
  /** Shown to the requester when the pattern does not match. */
  patternHint: z.string().max(200).optional(),
});

const approverSetSchema = z.strictObject({ groups: z.array(oktaGroupId).default([]), users: z.array(email).default([]) });

export const approvalPolicySchema = z.strictObject({
  approvers: approverSetSchema.default({ groups: [], users: [] }),
  /** A request still pending this long after it was made: its approvers are reminded, once. */
  remindAfter: durationSchema.optional(),
  /** Still pending this long after it was made: the backup approvers are asked too, and may decide. */
  escalateAfter: durationSchema.optional(),
  backupApprovers: approverSetSchema.default({ groups: [], users: [] }),
  /** Distinct approvers needed (multi-party approval). */
  required: z.number().int().min(1).max(10).default(1),
  allowSelfApproval: z.boolean().default(false),
  autoApprove: z
    .strictObject({
      groups: z.array(oktaGroupId).default([]),
      users: z.array(email).default([]),
      targets: z.array(z.string()).default([]),
    })
    .default({ groups: [], users: [], targets: [] }),
});

export const notificationsSchema = z.strictObject({
  requestChannel: slackChannel.optional(),
  dmApprovers: z.boolean().default(true),
  errorChannel: slackChannel.optional(),
  /** How long before access ends the requester is warned (with "Extend"); `off` for never. In seconds once read. */
  expiryWarning: z.union([z.literal('off').transform(() => 0), durationSchema]).default(900),
});

export const flowSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"'),
    description: z.string().max(300).default(''),
    targets: z.array(targetSchema).min(1, 'a flow needs at least one target'),
    durations: z.array(durationSchema).min(1, 'list at least one allowed duration'),
    reason: reasonRuleSchema.default({ required: true }),
    approval: approvalPolicySchema,
    /** An unanswered request times out after this long. */
    timeout: durationSchema.default(86400),
    notifications: notificationsSchema.default({ dmApprovers: true, expiryWarning: 900 }),
    /**
     * People acting in Slack on this flow (requesting, deciding) must have linked their Slack
     * account by signing in to Okta, rather than be known by their Slack profile's email.
     */
    requireLinkedIdentity: z.boolean().default(false),
  })
  .superRefine((flow, ctx) => {
    const ids = new Set<string>();
    flow.targets.forEach((target, i) => {
      if (ids.has(target.id)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `target "${target.id}" is listed twice` });
      ids.add(target.id);
      if (target.maxDuration !== undefined && target.maxDuration < Math.min(...flow.durations)) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'maxDuration'], message: `shorter than every allowed duration, so "${target.id}" can never be requested` });
      }
    });
    flow.approval.autoApprove.targets.forEach((id, i) => {
      if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['approval', 'autoApprove', 'targets', i], message: `no target "${id}" in this flow` });
    });
    const { approvers, required, autoApprove } = flow.approval;
    const everyTargetAutoApproved = flow.targets.every((t) => autoApprove.targets.includes(t.id));
    if (!everyTargetAutoApproved && approvers.groups.length === 0 && approvers.users.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['approval', 'approvers'], message: 'name approver groups or users: some targets need approval' });
    }
    const { remindAfter, escalateAfter, backupApprovers } = flow.approval;
    const hasBackups = backupApprovers.groups.length > 0 || backupApprovers.users.length > 0;
    if (escalateAfter !== undefined && !hasBackups) {
      ctx.addIssue({ code: 'custom', path: ['approval', 'backupApprovers'], message: 'escalateAfter needs backup approvers (groups or users) to escalate to' });
    }
    if (escalateAfter === undefined && hasBackups) {
      ctx.addIssue({ code: 'custom', path: ['approval', 'escalateAfter'], message: 'backup approvers are asked only after escalateAfter: set it (e.g. "4h")' });
    }
    for (const [key, value] of [['remindAfter', remindAfter], ['escalateAfter', escalateAfter]] as const) {
      if (value !== undefined && value >= flow.timeout) ctx.addIssue({ code: 'custom', path: ['approval', key], message: `must be shorter than the flow's timeout (${flow.timeout} s), or the request lapses first` });
    }
    if (approvers.groups.length === 0 && approvers.users.length > 0 && approvers.users.length < required) {
      ctx.addIssue({ code: 'custom', path: ['approval', 'required'], message: `${required} approvals required but only ${approvers.users.length} approver(s) listed` });
    }
  });

export const flowsFileSchema = z
  .strictObject({
    flows: z.array(flowSchema).min(1, 'define at least one flow'),
    /** Gatehouse admins (may revoke anyone's access, read everything) when acting from Slack; API tokens hold the admin scope instead. */
    admins: z.array(email).default([]),
  })
  .superRefine((file, ctx) => requireUniqueNames(file.flows, 'flows', 'flow', ctx));

export type Flow = z.output<typeof flowSchema>;
export type FlowTarget = z.output<typeof targetSchema>;
export type ApprovalPolicy = z.output<typeof approvalPolicySchema>;
export type FlowsFile = z.output<typeof flowsFileSchema>;

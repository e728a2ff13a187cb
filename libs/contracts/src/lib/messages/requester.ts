import { z } from 'zod';

/** Who asked. Email is the identity every channel (API, Slack, Okta) can agree on. */
export const requesterSchema = z.object({
  email: z.email(),
  displayName: z.string().min(1).max(200).optional(),
  slackUserId: z.string().regex(/^[UW][A-Z0-9]+$/).optional(),
});

export type Requester = z.infer<typeof requesterSchema>;

import { z } from 'zod';

/** Who held which access during a time range: the grants whose active time overlaps [from, to). */
export const accessReviewQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  flow: z.string().min(1).max(100).optional(),
  requester: z.email().optional(),
  /** The cursor of the previous page. */
  after: z.string().regex(/^\d{1,19}$/).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});

const decisionSchema = z.object({ by: z.string(), at: z.iso.datetime({ offset: true }) });

/** One grant, from the request to its end, as the audit trail tells it. */
export const accessReviewRowSchema = z.object({
  requestId: z.string(),
  requester: z.string().optional(),
  flow: z.string().optional(),
  target: z.string().optional(),
  oktaGroupId: z.string().optional(),
  reason: z.string().optional(),
  requestedAt: z.iso.datetime({ offset: true }).optional(),
  /** Who approved, and when; a rule's name when no one had to. */
  approvedBy: z.array(decisionSchema),
  autoApproved: z.string().optional(),
  grantedAt: z.iso.datetime({ offset: true }),
  /** Absent while the access is still held. */
  endedAt: z.iso.datetime({ offset: true }).optional(),
  /** EXPIRED or REVOKED. */
  ended: z.string().optional(),
  /** Who revoked it (or the timer, for an expiry). */
  endedBy: z.string().optional(),
  /** Seconds held in all, and within the range asked about (up to now while still held). */
  heldSeconds: z.number().int().min(0),
  heldSecondsInRange: z.number().int().min(0),
});

export const accessReviewResultSchema = z.object({
  rows: z.array(accessReviewRowSchema),
  nextCursor: z.string().optional(),
});

export type AccessReviewQuery = z.infer<typeof accessReviewQuerySchema>;
export type AccessReviewRow = z.infer<typeof accessReviewRowSchema>;
export type AccessReviewResult = z.infer<typeof accessReviewResultSchema>;

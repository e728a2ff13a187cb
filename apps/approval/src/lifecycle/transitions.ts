import type { RequestStatus } from '@gatehouse/contracts';

/** Every move a request may make; anything else is a bug, refused loudly. */
const ALLOWED: Record<RequestStatus, readonly RequestStatus[]> = {
  PENDING: ['APPROVED', 'DENIED', 'CANCELLED', 'TIMED_OUT'],
  APPROVED: ['GRANTING'],
  GRANTING: ['ACTIVE', 'GRANT_FAILED'],
  ACTIVE: ['EXPIRED', 'REVOKED'],
  EXPIRED: [],
  REVOKED: [],
  DENIED: [],
  CANCELLED: [],
  TIMED_OUT: [],
  GRANT_FAILED: [],
};

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(from: RequestStatus, to: RequestStatus): void {
  if (!canTransition(from, to)) throw new Error(`illegal transition ${from} → ${to}`);
}

export function isFinal(status: RequestStatus): boolean {
  return ALLOWED[status].length === 0;
}

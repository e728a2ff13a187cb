import { REQUEST_STATUSES } from '@gatehouse/contracts';
import { canTransition, isFinal } from './transitions';

describe('request lifecycle', () => {
  it.each([
    ['PENDING', 'APPROVED'],
    ['PENDING', 'DENIED'],
    ['PENDING', 'CANCELLED'],
    ['PENDING', 'TIMED_OUT'],
    ['APPROVED', 'GRANTING'],
    ['GRANTING', 'ACTIVE'],
    ['GRANTING', 'GRANT_FAILED'],
    ['ACTIVE', 'EXPIRED'],
    ['ACTIVE', 'REVOKED'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    ['DENIED', 'APPROVED'],
    ['APPROVED', 'DENIED'],
    ['PENDING', 'ACTIVE'],
    ['ACTIVE', 'PENDING'],
    ['EXPIRED', 'ACTIVE'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('ends in exactly the final states', () => {
    expect(REQUEST_STATUSES.filter(isFinal)).toEqual(['EXPIRED', 'REVOKED', 'DENIED', 'CANCELLED', 'TIMED_OUT', 'GRANT_FAILED']);
  });
});

/** The destinations audit records are shipped to (GATEHOUSE_AUDIT_DESTINATIONS), validated at start-up. */
export const AUDIT_DESTINATIONS = Symbol('AUDIT_DESTINATIONS');

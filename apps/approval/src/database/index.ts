import { CreateAccessRequests1763800000000 } from './migrations/1763800000000-create-access-requests';
import { AddDecisions1763800000300 } from './migrations/1763800000300-add-decisions';
import { AddGrantsAndTimers1763800000400 } from './migrations/1763800000400-add-grants-and-timers';
import { AddBasedOn1763800000500 } from './migrations/1763800000500-add-based-on';
import { AddActors1763800000800 } from './migrations/1763800000800-add-actors';
import { AddExpiryWarnings1763800001300 } from './migrations/1763800001300-add-expiry-warnings';
import { AddRemindersAndEscalation1763800001400 } from './migrations/1763800001400-add-reminders-and-escalation';

/** Requests are read and written in plain SQL through AccessRequestRepository: no entities. */
export const entities = [];
/** In order; checked in, never generated at run time. */
export const migrations = [CreateAccessRequests1763800000000, AddDecisions1763800000300, AddGrantsAndTimers1763800000400, AddBasedOn1763800000500, AddActors1763800000800, AddExpiryWarnings1763800001300, AddRemindersAndEscalation1763800001400];

import { personSchema, type Person } from '../identity/actor';

/** Who a request is for: a person, proven by the channel that asked (see the principal). */
export const requesterSchema = personSchema;
export type Requester = Person;

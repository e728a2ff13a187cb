/**
 * How fast a consumer group notices a member gone: a crashed process, or the member a consumer
 * leaves behind when it restarts after the broker came back (it rejoins as a new member, and the
 * group waits for the old one's session to run out before it hands out partitions again). With
 * kafkajs's 30 s default, a broker restart stalled request/reply for half a minute (seen in the
 * chaos soak); 10 s keeps that short while riding out a GC pause. Every consumer uses it.
 */
export const GROUP_LIVENESS = { sessionTimeout: 10_000, heartbeatInterval: 3_000 } as const;

/**
 * How long the broker holds a fetch that finds nothing new. It answers at once when a message
 * arrives, so this sets only how often an idle consumer asks again: at 100 ms (reply consumers)
 * and 500 ms, the idle system's consumers kept the broker at a quarter of a core (bench:idle).
 */
export const IDLE_FETCH_WAIT_MS = 1_000;

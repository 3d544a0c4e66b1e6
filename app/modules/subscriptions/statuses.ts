/**
 * Subscriber statuses, shared with the subscribers page in the browser (a value from a .server
 * module is empty there). One row is one subscription to a writer, reached by email, by wallet or
 * both. `pending`: waiting for its owner to confirm (email link or wallet signature); `confirmed`:
 * active; `unsubscribed`: left; `bounced`: the address failed permanently (a wallet follow on the
 * same row stays active).
 */
export type SubscriberStatus = "pending" | "confirmed" | "unsubscribed" | "bounced";
export const STATUSES: SubscriberStatus[] = ["confirmed", "pending", "unsubscribed", "bounced"];

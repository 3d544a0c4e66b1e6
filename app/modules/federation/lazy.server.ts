/**
 * Fedify and its vocabulary weigh about 55 MB in a process: the web role loads them with the first
 * request from the social web, or the first action that sends something there, never at start (a
 * test checks). Modules that pages import statically take only types from @fedify/* and reach
 * Fedify through this.
 */
let fedify: Promise<typeof import("./federation.server")> | undefined;
export const loadFederation = () => (fedify ??= import("./federation.server"));

/** Fedify's vocabulary (Follow, Reject, Note...), loaded on first use. */
export const loadVocabulary = () => import("@fedify/vocab");

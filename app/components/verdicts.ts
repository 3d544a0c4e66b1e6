/**
 * How a verdict looks wherever one is shown: green when the contributor signed, amber when only
 * someone else did (membership unknown: neither proven nor broken), red when nothing checks out.
 */
export const VERDICT_TONE = { verified: "ok", "signed-by-other": "warning", failed: "error" } as const;

export type VerdictState = keyof typeof VERDICT_TONE;

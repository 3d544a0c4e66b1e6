import { describe, expect, it } from "vitest";
import { parseEnv } from "~/env.server";
import { CONFIRM_TTL_MS, issueConfirmToken, manageToken, readConfirmToken, readManageToken, tokenHash } from "./tokens.server";

const env = parseEnv({});
const other = parseEnv({ SESSION_SECRET: "another-secret-of-at-least-32-characters!" });
const now = new Date("2026-11-26T12:00:00Z");

describe("subscription tokens", () => {
  it("confirm: signed, expiring, random, carrying an optional wallet, stored only as a hash", () => {
    const { token, hash, expiresAt } = issueConfirmToken(env, now, "0xabc0000000000000000000000000000000000def");
    expect(expiresAt.getTime() - now.getTime()).toBe(CONFIRM_TTL_MS);
    expect(hash).toBe(tokenHash(token));
    expect(hash).not.toContain(token);
    expect(readConfirmToken(env, token, now)).toEqual({ valid: true, hash, wallet: "0xabc0000000000000000000000000000000000def" });
    expect(readConfirmToken(env, issueConfirmToken(env, now).token, now)).toMatchObject({ valid: true, wallet: undefined });
    expect(issueConfirmToken(env, now).token).not.toBe(issueConfirmToken(env, now).token);

    expect(readConfirmToken(env, token, new Date(expiresAt.getTime()))).toEqual({ valid: false, reason: "expired" });
    expect(readConfirmToken(other, token, now)).toEqual({ valid: false, reason: "invalid" });
    const [expires, nonce, wallet, signature] = token.split(".");
    const later = `${Number(expires) + 86_400}.${nonce}.${wallet}.${signature}`;
    expect(readConfirmToken(env, later, now)).toEqual({ valid: false, reason: "invalid" });
    expect(readConfirmToken(env, `${expires}.${nonce}.0x${"1".repeat(40)}.${signature}`, now)).toEqual({ valid: false, reason: "invalid" });
    expect(readConfirmToken(env, "garbage", now)).toEqual({ valid: false, reason: "invalid" });
  });

  it("manage: the subscriber id, signed, readable only with the same secret", () => {
    const token = manageToken(env, "cmabc123");
    expect(readManageToken(env, token)).toBe("cmabc123");
    expect(readManageToken(other, token)).toBeUndefined();
    expect(readManageToken(env, token.replace("cmabc123", "cmabc124"))).toBeUndefined();
    expect(readManageToken(env, token.slice(0, -1))).toBeUndefined();
    expect(readManageToken(env, "cmabc123")).toBeUndefined();
  });

  it("keep verifying after the secret is rotated, while the old secret is listed as previous", () => {
    const old = "an-old-secret-of-at-least-32-characters!!";
    const before = parseEnv({ SESSION_SECRET: old });
    const rotated = parseEnv({ SESSION_SECRET: "a-new-secret-of-at-least-32-characters!!!", SESSION_SECRET_PREVIOUS: ` ${old} , ` });
    const forgotten = parseEnv({ SESSION_SECRET: "a-new-secret-of-at-least-32-characters!!!" });
    const manage = manageToken(before, "cmold");
    const { token, hash } = issueConfirmToken(before, now);
    expect(readManageToken(rotated, manage)).toBe("cmold");
    expect(readConfirmToken(rotated, token, now)).toEqual({ valid: true, hash, wallet: undefined });
    expect(readManageToken(forgotten, manage)).toBeUndefined();
    // New tokens are signed with the new secret only.
    expect(manageToken(rotated, "cmold")).not.toBe(manage);
    expect(readManageToken(before, manageToken(rotated, "cmnew"))).toBeUndefined();
    expect(() => parseEnv({ SESSION_SECRET_PREVIOUS: "too-short" })).toThrow(/SESSION_SECRET_PREVIOUS/);
  });
});

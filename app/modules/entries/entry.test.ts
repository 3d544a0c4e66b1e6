import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getEnv } from "~/env.server";
import { canonicalJson, contentDigest } from "./entry";
import { verifyEntryJson } from "./verify.server";

const doc = fs.readFileSync(path.resolve(__dirname, "../../../docs/entry-format.md"), "utf8");
const blocks = [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2]! }));

describe("the documented entry format", () => {
  it("has a worked example whose canonical bytes, digest and signature check out", async () => {
    const example = JSON.parse(blocks.find((b) => b.lang === "json")!.text) as { content: Parameters<typeof contentDigest>[0]; digest: string };
    const bytes = blocks.find((b) => b.text.startsWith('{"body"'))!.text.trim();
    expect(canonicalJson(example.content)).toBe(bytes);
    expect(await contentDigest(example.content)).toBe(example.digest);
    expect(doc).toContain(`base64url, is \`${example.digest}\``);
    expect(await verifyEntryJson(getEnv(), example)).toMatchObject({ kind: "entry", verified: true, problems: [] });
  });

  it("sorts keys at every depth, keeps no white space, and refuses numbers that are not integers", () => {
    expect(canonicalJson({ b: [{ z: 1, a: "x" }], a: null, "é": true, A: "q\n" })).toBe('{"A":"q\\n","a":null,"b":[{"a":"x","z":1}],"é":true}');
    expect(() => canonicalJson({ n: 1.5 })).toThrow(/integers only/);
  });
});

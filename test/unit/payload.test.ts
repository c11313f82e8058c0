import { describe, expect, it } from "vitest";
import { buttonRows, embedLength, message } from "../../src/discord/payload.js";
import { LIMITS } from "../../src/discord/limits.js";

describe("message payloads", () => {
  it("GIVEN any message THEN it never pings (allowed_mentions parses nothing)", () => {
    expect(message({ content: "@everyone hi" }).allowed_mentions).toEqual({ parse: [] });
    expect(message({}).allowed_mentions).toEqual({ parse: [] });
  });

  it("GIVEN oversized parts THEN every part and the 6000 total fit Discord's limits", () => {
    const long = "word ".repeat(3000);
    const payload = message({
      content: long,
      embeds: [
        {
          title: long,
          description: long,
          footer: { text: long },
          fields: Array.from({ length: 40 }, (_, i) => ({ name: `${i} ${long}`, value: long })),
        },
        { description: long },
      ],
    });
    expect(payload.content!.length).toBeLessThanOrEqual(LIMITS.content);
    const [first, second] = payload.embeds!;
    expect(first!.title!.length).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(first!.fields!.length).toBeLessThanOrEqual(LIMITS.embedFields);
    for (const f of first!.fields!) {
      expect(f.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    }
    expect(embedLength(first!) + embedLength(second!)).toBeLessThanOrEqual(LIMITS.embedTotal);
  });

  it("GIVEN an ephemeral reply THEN the ephemeral flag is set", () => {
    expect(message({ content: "x", ephemeral: true }).flags).toBe(64);
  });

  it("GIVEN seven buttons THEN they fill rows of five", () => {
    const rows = buttonRows(
      Array.from({ length: 7 }, (_, i) => ({ customId: `b:${i}`, label: `B${i}` })),
    );
    expect(rows.map((r) => r.components.length)).toEqual([5, 2]);
    expect(() => buttonRows([{ customId: "x".repeat(101), label: "too long" }])).toThrowError(
      /custom id/,
    );
  });
});

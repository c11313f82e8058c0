import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lab } from "../../commands/lab.js";
import { model } from "../../commands/model.js";
import type { AppContext } from "../../src/app/context.js";
import { contextFor, customIds, SHIPPED_DATA } from "../helpers.js";

/**
 * The lookup table (lookups.json): what members type, run through /model and /lab against the
 * shipped catalogue. Each must open exactly the card named, offer exactly the entries listed in
 * that order, or find nothing; a wrong card is worse than none.
 */
type Expected = string | string[] | null;
const table = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "lookups.json"), "utf8"),
) as Record<string, string | Record<string, Expected>>;

const cases: Array<[group: string, command: "model" | "lab", typed: string, expected: Expected]> =
  [];
for (const [group, lookups] of Object.entries(table)) {
  if (typeof lookups === "string") continue;
  const command = group.startsWith("/lab") ? "lab" : "model";
  for (const [typed, expected] of Object.entries(lookups))
    cases.push([group, command, typed, expected]);
}

let ctx: AppContext;
beforeAll(async () => {
  ctx = await contextFor(SHIPPED_DATA);
});
afterAll(() => ctx.searchIndex.close());

describe("the lookup table", () => {
  it("GIVEN the table THEN it has at least 80 lookups, none twice", () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    const keys = cases.map(([, command, typed]) => `${command} ${typed}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(cases)("%s: /%s %j", async (_group, command, typed, expected) => {
    const reply = await (command === "lab" ? lab : model).execute(
      { command, options: { name: typed }, userId: "1", guildId: "2", channelId: "3" },
      ctx,
    );
    const { payload } = reply;
    if (typeof expected === "string") {
      expect(reply.answer?.entry?.id, payload.content).toBe(expected);
      expect(payload.flags).toBeUndefined();
      return;
    }
    // Anything but a card is private and shows no embed.
    expect(payload.embeds, payload.embeds?.[0]?.title).toBeUndefined();
    expect(payload.flags).toBe(64);
    const ids = customIds(payload).map((id) => id.split(":")[2]);
    if (expected === null) {
      expect(payload.content).toMatch(new RegExp(`^No ${command} called `));
    } else {
      expect(payload.content).toMatch(/could mean/);
      expect(ids).toEqual(expected);
    }
  });
});

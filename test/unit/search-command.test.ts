import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { search } from "../../commands/search.js";
import type { AppContext } from "../../src/app/context.js";
import { answerSafely } from "../../src/interactions/boundary.js";
import type { CommandCall } from "../../src/interactions/types.js";
import { contextFor, FIXTURE_DATA, silentLogger } from "../helpers.js";

let ctx: AppContext;
beforeAll(async () => {
  ctx = await contextFor(FIXTURE_DATA);
});
afterAll(() => ctx.searchIndex.close());

const call = (options: Record<string, string>): CommandCall => ({
  command: "search",
  options,
  userId: "1",
  guildId: "2",
  channelId: "3",
});
const run = (options: Record<string, string>) =>
  answerSafely(() => search.execute(call(options), ctx), silentLogger, {});

describe("/search", () => {
  it("GIVEN a query THEN the embed lists passages with title, date, source and link", async () => {
    const { payload } = await run({ query: "distillation attacks" });
    const embed = payload.embeds![0]!;
    expect(embed.title).toBe("Search: distillation attacks");
    expect(embed.fields!.map((f) => f.name)).toEqual([
      "1. On distillation attacks — 10 Mar 2025",
      "2. Attacks and defences — 2 Apr 2025",
      "3. A short note on distillation — 20 May 2025",
    ]);
    expect(embed.fields![0]!.value).toContain("(https://example.com/exact-phrase)");
    expect(embed.footer!.text).toBe("Results 1–3 of 3");
    expect(payload.components).toEqual([]);
    expect(payload.flags).toBeUndefined();
  });

  it("GIVEN more than five results THEN Next shows the following page and Prev goes back", async () => {
    const first = await run({ query: "model formats quantization distillation attacks notes" });
    const next = first.payload.components![0]!;
    expect(next).toMatchObject({ components: [{ disabled: true }, { disabled: false }] });
    const nextId = (next as { components: Array<{ custom_id: string }> }).components[1]!.custom_id;
    const page2 = await search.component!(
      { customId: nextId, values: [], userId: "1", guildId: "2", channelId: "3" },
      ctx,
    );
    expect(page2.update).toBe(true);
    expect(page2.payload.embeds![0]!.fields![0]!.name).toMatch(/^6\. /);
    expect(page2.payload.embeds![0]!.footer!.text).toMatch(/^Results 6–/);
  });

  it("GIVEN nothing matches THEN the member is told so privately, with a suggestion when one exists", async () => {
    const none = await run({ query: "zzqxj" });
    expect(none.payload.flags).toBe(64);
    expect(none.payload.content).toMatch(/^Nothing in the corpus matches \*\*zzqxj\*\*/);
    const suggested = await run({ query: "distilation", from: "2026-01-01" });
    expect(suggested.payload.content).toContain("Did you mean **distillation**?");
  });

  it("GIVEN 2,000 characters of junk, a bad date or an unknown source THEN a clear private message and no crash", async () => {
    const junk = await run({ query: "@everyone ".repeat(200) });
    expect(junk.payload).toMatchObject({
      flags: 64,
      content: "That query is 1999 characters long; keep it under 200.",
    });
    const date = await run({ query: "x", from: "yesterday" });
    expect(date.payload.content).toMatch(/`from` must be a date like 2025/);
    const source = await run({ query: "x", source: "The Onion" });
    expect(source.payload.content).toMatch(/no source called "The Onion". Sources: /);
    const swapped = await run({ query: "x", from: "2026", to: "2025" });
    expect(swapped.payload.content).toBe("`from` is after `to`: swap them.");
  });

  it("GIVEN an expired or forged page button THEN it says so instead of failing", async () => {
    const reply = await search.component!(
      { customId: "search:page:nope:1", values: [], userId: "1", guildId: "2", channelId: "3" },
      ctx,
    );
    expect(reply.payload.content).toBe("This search has expired. Run `/search` again.");
    await expect(
      search.component!(
        { customId: "search:zap", values: [], userId: "1", guildId: null, channelId: null },
        ctx,
      ),
    ).rejects.toThrowError("This button is no longer valid.");
  });

  it("GIVEN a source being typed THEN autocomplete lists matching sources with counts", async () => {
    const choices = await search.autocomplete!(
      { ...call({}), focused: { name: "source", value: "week" } },
      ctx,
    );
    expect(choices).toEqual([{ name: "Weekly Radar (4 documents)", value: "Weekly Radar" }]);
  });
});

import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bookmarks } from "../../commands/bookmarks.js";
import { config } from "../../commands/config.js";
import { entry } from "../../commands/entry.js";
import { model } from "../../commands/model.js";
import { recap } from "../../commands/recap.js";
import { describePost } from "../../commands/recap-config.js";
import { search } from "../../commands/search.js";
import type { AppContext } from "../../src/app/context.js";
import { answerSafely } from "../../src/interactions/boundary.js";
import { checkComponentOrigin, customIdsIn } from "../../src/interactions/origin.js";
import type { Caller, CommandModule } from "../../src/interactions/types.js";
import type { RecapPost } from "../../src/recap/posts.js";
import { MANAGE_GUILD } from "../../src/settings/permissions.js";
import { contextFor, FIXTURE_DATA } from "../helpers.js";

const ALICE = "200000000000000001";
const BOB = "200000000000000002";
const caller: Caller = {
  userId: ALICE,
  guildId: "100000000000000001",
  channelId: "400000000000000001",
  permissions: MANAGE_GUILD,
  roleIds: [],
};

let ctx: AppContext;
beforeEach(async () => {
  ctx = await contextFor(FIXTURE_DATA);
});
afterEach(() => ctx.searchIndex.close());

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string; reason?: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

describe("where a button may act", () => {
  const origin = { customIds: ["model:mentions:o3:0", "lab:show:openai"], privateTo: null };

  it("GIVEN a custom id its message carries THEN it may act; any other is refused", () => {
    expect(() => checkComponentOrigin("lab:show:openai", BOB, origin)).not.toThrow();
    expect(() => checkComponentOrigin("bookmarks:page:0:-", BOB, origin)).toThrowError(
      "This button is no longer valid.",
    );
  });

  it("GIVEN a private reply THEN only the member it was shown to may press its buttons", () => {
    const mine = { customIds: ["bookmarks:clear"], privateTo: ALICE };
    expect(() => checkComponentOrigin("bookmarks:clear", ALICE, mine)).not.toThrow();
    expect(() => checkComponentOrigin("bookmarks:clear", BOB, mine)).toThrowError(
      "This button is no longer valid.",
    );
  });

  it("GIVEN rows, sections and containers THEN every custom id is found, in order", () => {
    const components = [
      {
        type: 1,
        components: [
          { type: 2, custom_id: "a" },
          { type: 2, url: "https://x.test" },
        ],
      },
      {
        type: 17,
        components: [{ type: 9, accessory: { type: 2, custom_id: "b" } }],
      },
      { type: 18, component: { type: 3, custom_id: "c" } },
    ];
    expect(customIdsIn(components)).toEqual(["a", "b", "c"]);
  });
});

describe("custom ids that do not parse", () => {
  const modules: Record<string, CommandModule> = { recap, search, model, bookmarks, entry };
  const cases: string[] = [
    "recap:page:2026-W99:0",
    "recap:page:0000-W01:0",
    "recap:page:2026-W06:-1",
    "recap:zap",
    "search:page:abc:x",
    "model:zap:o3",
    "model:mentions:o3:two",
    "bookmarks:zap",
    "entry:zap",
  ];

  it.each(cases)(
    "GIVEN %s THEN the member is told privately the button is no longer valid, and the log says why at info level",
    async (customId) => {
      const { logger, lines } = capturingLogger();
      const module = modules[customId.split(":")[0]!]!;
      const reply = await answerSafely(
        () => module.component!({ ...caller, customId, values: [] }, ctx),
        logger,
        { customId },
      );
      expect(reply.payload).toMatchObject({
        content: "This button is no longer valid.",
        flags: 64,
      });
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        [30, "refused a stale or tampered interaction"],
      ]);
      expect(lines[0]!.reason).toContain(customId);
    },
  );

  it("GIVEN an entry form id that does not parse THEN the form is no longer valid", async () => {
    const reply = await answerSafely(
      () => entry.modal!({ ...caller, customId: "entry:zap:1", fields: {} }, ctx),
      capturingLogger().logger,
      {},
    );
    expect(reply.payload.content).toBe("This form is no longer valid. Run the command again.");
  });
});

describe("/config bookmark-emoji and custom emoji", () => {
  const set = (emoji: string, serverEmoji: boolean) =>
    answerSafely(
      () =>
        config.execute(
          { ...caller, command: "config", subcommand: "bookmark-emoji", options: { emoji } },
          { ...ctx, hooks: { ...ctx.hooks, isServerEmoji: async () => serverEmoji } },
        ),
      capturingLogger().logger,
      {},
    );

  it("GIVEN a custom emoji that is not this server's, animated or not THEN it is refused", async () => {
    for (const emoji of ["<:notours:123456789012345678>", "<a:dance:123456789012345679>"])
      expect((await set(emoji, false)).payload.content, emoji).toBe(
        "That custom emoji is not one of this server's. Give a unicode emoji such as 🔖 or ⭐, or one of this server's own custom emoji.",
      );
  });

  it("GIVEN one of this server's custom emoji, or a unicode one THEN it is taken", async () => {
    expect((await set("<:pin:123456789012345678>", true)).payload.content).toMatch(
      /^Members now bookmark a message by reacting <:pin:123456789012345678>\./,
    );
    expect((await set("⭐", false)).payload.content).toMatch(
      /^Members now bookmark a message by reacting ⭐\./,
    );
  });
});

describe("/recap-config status lines", () => {
  const post = (over: Partial<RecapPost>): RecapPost => ({
    guildId: "1",
    week: "2026-W06",
    status: "posted",
    owner: "a",
    fence: 1,
    leaseUntil: 0,
    messageIds: ["11"],
    channelId: "2",
    reason: null,
    updatedAt: 0,
    pageCount: 1,
    anchorId: "0",
    ...over,
  });
  const link = (id: string) => `https://discord.com/channels/1/2/${id}`;

  it.each([
    ["a posted week", post({}), `[posted](${link("11")})`],
    [
      "a posted week of three pages",
      post({ messageIds: ["11", "12", "13"], pageCount: 3 }),
      `[posted](${link("11")}) (3 pages)`,
    ],
    [
      "page 2 of 3 refused",
      post({ status: "failed", pageCount: 3, reason: "no permission" }),
      `[page 1](${link("11")}) of 3 posted; pages 2–3 not posted — no permission`,
    ],
    [
      "page 3 of 3 refused",
      post({ status: "failed", messageIds: ["11", "12"], pageCount: 3, reason: "no access" }),
      `[pages 1–2](${link("11")}) of 3 posted; page 3 not posted — no access`,
    ],
    [
      "a week refused on its only page",
      post({ status: "failed", messageIds: [], reason: "deleted" }),
      "not posted — deleted",
    ],
    [
      "a week being posted",
      post({ status: "claimed", pageCount: 2 }),
      `being posted: [page 1](${link("11")}) of 2 posted so far`,
    ],
    [
      "a week claimed, nothing posted yet",
      post({ status: "claimed", messageIds: [] }),
      "being posted",
    ],
    [
      "a skipped week",
      post({ status: "skipped", messageIds: [], reason: "missed" }),
      "skipped — missed",
    ],
  ])(
    "GIVEN %s THEN its status line says what was posted, what was not, and why",
    (_what, record, line) => {
      expect(describePost(record)).toBe(line);
    },
  );
});

import fs from "node:fs/promises";
import path from "node:path";
import { MessageFlags } from "discord-api-types/v10";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { commandDefinitions } from "../../commands/index.js";
import { runCli } from "../../src/cli/run.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { idsOf, World } from "./world.js";

let world: World;
beforeAll(async () => {
  world = await World.create();
});
afterEach(() => world.emu.assertClean());
afterAll(() => world.close());

describe("the bot against a Discord emulator", () => {
  it("GIVEN a start THEN it logs in and deploys every command once; a restart with the same definitions deploys nothing", async () => {
    expect(world.emu.commandPuts).toBe(1);
    expect(world.emu.commands().map((c) => c.name)).toEqual(
      commandDefinitions().map((d) => d.name),
    );
    await world.stopBot();
    await world.start();
    expect(world.emu.commandPuts).toBe(1);
    expect(world.logs.filter((l) => l.msg === "commands up to date")).toHaveLength(1);
  });

  it("GIVEN /search THEN a public embed of passages arrives, with the bookmark reaction added", async () => {
    const handle = await world.member.runCommand("search", { query: "distillation attacks" });
    const message = await handle.reply();
    expect(handle.ephemeral).toBe(false);
    expect(message.embeds[0]!.title).toBe("Search: distillation attacks");
    expect(message.embeds[0]!.fields!.length).toBe(5);
    await world.emu.waitFor(() => world.emu.reactions(message.id).some((r) => r.emoji === "🔖"));
    expect(world.emu.reactions(message.id)).toEqual([
      { emoji: "🔖", userIds: [world.emu.botUserId] },
    ]);
  });

  it("GIVEN Next and Prev THEN the same message pages through the results", async () => {
    const handle = await world.member.runCommand("search", { query: "open models" });
    const first = await handle.reply();
    expect(first.embeds[0]!.footer!.text).toMatch(/^Results 1–5 of \d+/);
    const next = idsOf(first).find((id) => id.endsWith(":1"))!;
    const paged = await world.member.click(first, next);
    await paged.settled();
    const second = world.emu.message(first.id)!;
    expect(second.embeds[0]!.footer!.text).toMatch(/^Results 6–10 of \d+/);
    const prev = idsOf(second).find((id) => id.endsWith(":0"))!;
    await (await world.member.click(second, prev)).settled();
    expect(world.emu.message(first.id)!.embeds[0]!.footer!.text).toMatch(/^Results 1–5 of/);
  });

  it("GIVEN a search with nothing found THEN only the member sees the answer", async () => {
    const handle = await world.member.runCommand("search", { query: "zzzqqq xxyyzz" });
    const message = await handle.reply();
    expect(message.flags! & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(message.content).toMatch(/^Nothing in the corpus matches \*\*zzzqqq xxyyzz\*\*/);
  });

  it("GIVEN 2,000 characters of junk from a modified client THEN a clear private message, and the bot carries on", async () => {
    const junk = "<@&1> @everyone **`".repeat(200).slice(0, 2000);
    const handle = await world.member.runCommand("search", { query: junk }, { unchecked: true });
    const message = await handle.reply();
    expect(handle.ephemeral).toBe(true);
    expect(message.content).toBe("That query is 2000 characters long; keep it under 200.");
    const after = await world.member.runCommand("model", { name: "opus 4.5" });
    expect((await after.reply()).embeds[0]!.title).toBe("Claude Opus 4.5");
  });

  it("GIVEN mention syntax typed in /search's source, from or to THEN the private error repeats it defused", async () => {
    const raw = /@(everyone|here)|<[@#][!&]?\d/;
    const answers: string[] = [];
    for (const options of [
      { query: "distillation", source: "@everyone <@&123456789012345678>" },
      { query: "distillation", from: "@everyone" },
      { query: "distillation", to: "<@&123456>" },
    ]) {
      const handle = await world.member.runCommand("search", options);
      answers.push((await handle.reply()).content);
      expect(handle.ephemeral).toBe(true);
    }
    expect(answers).toEqual([
      expect.stringMatching(
        /^There is no source called "@\u200beveryone <\u200b@&123456789012345678>"\. Sources: /,
      ),
      '`from` must be a date like 2025, 2025-06 or 2025-06-14 (got "@\u200beveryone").',
      '`to` must be a date like 2025, 2025-06 or 2025-06-14 (got "<\u200b@&123456>").',
    ]);
    for (const answer of answers) expect(answer).not.toMatch(raw);
  });

  it("GIVEN autocomplete THEN at most 25 choices, best first, each within Discord's limits", async () => {
    const choices = await world.member.autocomplete("model", { name: "nemotrn" }, "name");
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    expect(choices[0]!.name).toMatch(/^Nemotron/);
    const empty = await world.member.autocomplete("model", { name: "" }, "name");
    expect(empty).toHaveLength(25);
  });

  it("GIVEN a 429 on the reply THEN discord.js waits and the reply still arrives", async () => {
    const fault = world.emu.faults.add({
      method: "POST",
      path: /\/interactions\/\d+\/[^/]+\/callback/,
      status: 429,
      retryAfter: 0.2,
      times: 1,
    });
    const handle = await world.member.runCommand("lab", { name: "moonshot" });
    expect((await handle.reply()).embeds[0]!.title).toBe("Moonshot AI");
    expect(fault.hits).toBe(1);
  });

  it("GIVEN a dropped gateway connection THEN the bot resumes and the next command works", async () => {
    await world.emu.dropGateway();
    const handle = await world.member.runCommand("model", { name: "k2 thinking" });
    expect((await handle.reply()).embeds[0]!.title).toBe("Kimi K2 Thinking");
    expect(world.errors()).toEqual([]);
  });
});

describe("adding a document while the bot runs", () => {
  it("GIVEN a document ingested with the CLI THEN /config reload makes it searchable without a restart", async () => {
    const dataDir = await tempDir("data-");
    await fs.cp(SHIPPED_DATA, dataDir, { recursive: true });
    const running = await World.create({ dataDir });
    try {
      const missing = await (
        await running.member.runCommand("search", { query: "zanzibar tokamak" })
      ).reply();
      expect(missing.content).toMatch(/^Nothing in the corpus matches/);

      const file = path.join(await tempDir("doc-"), "fusion.md");
      await fs.writeFile(
        file,
        "The Zanzibar tokamak reached first plasma with a learned controller.\n",
      );
      const code = await runCli(
        [
          "ingest",
          file,
          "--title",
          "Fusion notes",
          "--date",
          "2026-11-20",
          "--source",
          "Lab Notes",
        ],
        { stdout: () => undefined, stderr: () => undefined, env: { DATA_DIR: dataDir } },
      );
      expect(code).toBe(0);

      const refused = await (
        await running.member.runCommand("config reload", {}, { unchecked: true })
      ).reply();
      expect(refused.content).toBe("Only members with Manage Server can do this.");
      // Rebuilding the index takes a while: the answer is deferred, then edited in.
      const reloaded = await (
        await running.moderator.runCommand("config reload")
      ).reply({ timeoutMs: 30_000 });
      expect(reloaded.content).toBe(
        "Reloaded: 70 documents in the corpus. Search, cards and autocomplete use them now.",
      );
      const found = await (
        await running.member.runCommand("search", { query: "zanzibar tokamak" })
      ).reply();
      expect(found.embeds[0]!.fields![0]!.name).toBe("1. Fusion notes — 20 Nov 2026");
      running.emu.assertClean();
    } finally {
      await running.close();
    }
  });
});

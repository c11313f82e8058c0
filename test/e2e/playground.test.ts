import { MessageFlags } from "discord-api-types/v10";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { Playground } from "../../src/playground/world.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";

const started: Playground[] = [];
afterEach(async () => {
  for (const playground of started.splice(0)) await playground.stop();
});

async function start(stateDir: string): Promise<Playground> {
  const config = parseConfig({ STATE_DIR: stateDir, DATA_DIR: SHIPPED_DATA });
  const playground = new Playground({ config, logger: pino({ level: "silent" }) });
  started.push(playground);
  await playground.start();
  return playground;
}

/** The newest message in a channel as a person sees it, once the bot's answer has arrived. */
async function lastReply(playground: Playground, as: string, channel: string) {
  for (let i = 0; i < 100; i++) {
    const last = playground.messages(as, channel).at(-1)?.message;
    const loading = ((last?.flags ?? 0) & MessageFlags.Loading) !== 0;
    if (last && !loading) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no reply within 2 s");
}

describe("the playground's world", () => {
  it("GIVEN a restart on the same state folder THEN the servers, people, entries and commands are the ones the bot knew", async () => {
    const stateDir = await tempDir("playground-");
    const first = await start(stateDir);
    const view = first.view();
    const [ada, grace] = view.people;
    const general = view.servers[0]!.channels[0]!.id;
    const opened = await first.command({
      as: grace!.id,
      channel: general,
      command: "entry add",
      options: { kind: "model", lab: "Moonshot AI" },
    });
    expect(opened.kind).toBe("modal");
    if (opened.kind !== "modal") return;
    const saved = await first.submit({
      as: grace!.id,
      channel: general,
      interaction: opened.interaction,
      values: {
        name: "Kimi K3",
        released: "2026-02-20",
        aliases: "",
        summary: "Moonshot AI's third Kimi model, with a longer context than K2.",
        source: "",
      },
    });
    expect(saved).toEqual({ kind: "done" });
    expect((await lastReply(first, grace!.id, general)).content).toMatch(/^Added \*\*Kimi K3\*\*/);
    await first.stop();

    // A new Discord, the same ids and store: the bot registers its commands there again.
    const second = await start(stateDir);
    expect(second.view().servers).toEqual(view.servers);
    expect(second.commands(ada!.id, view.servers[0]!.id).map((c) => c.name)).toContain("model");
    expect(second.messages(ada!.id, general)).toEqual([]);
    await second.command({
      as: ada!.id,
      channel: general,
      command: "model",
      options: { name: "kimi k3" },
    });
    const card = await lastReply(second, ada!.id, general);
    expect(card.embeds[0]?.title).toBe("Kimi K3");
  });

  it("GIVEN a member THEN the moderators' commands are not listed, and running one anyway is refused as Discord refuses it", async () => {
    const playground = await start(await tempDir("playground-"));
    const { people, servers } = playground.view();
    const [ada, grace] = people;
    const names = (as: string) => playground.commands(as, servers[0]!.id).map((c) => c.name);
    expect(names(ada!.id)).not.toContain("entry");
    expect(names(grace!.id)).toEqual(expect.arrayContaining(["entry", "config", "recap-config"]));
    await expect(
      playground.command({
        as: ada!.id,
        channel: servers[0]!.channels[0]!.id,
        command: "entry add",
        options: { kind: "model" },
      }),
    ).rejects.toThrow(/lacks default_member_permissions/);
  });
});

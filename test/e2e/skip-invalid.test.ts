import fs from "node:fs/promises";
import path from "node:path";
import type { APIMessage } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CorpusError } from "../../src/corpus/load.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";
import { World } from "./world.js";

/** Cited by Claude Opus 4.5's release date and first highlight, and by nothing else. */
const BROKEN = "claude-code-opus-45-software-commodification";

/** The shipped data with one cited document dated a day the calendar does not have. */
async function dataWithImpossibleDate(): Promise<string> {
  const dir = await tempDir("data-");
  await fs.cp(SHIPPED_DATA, dir, { recursive: true });
  const file = path.join(dir, "corpus", `${BROKEN}.json`);
  const meta = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
  await fs.writeFile(file, JSON.stringify({ ...meta, date: "2026-02-30", datePrecision: "day" }));
  return dir;
}

const field = (message: APIMessage, name: string) =>
  message.embeds[0]!.fields?.find((f) => f.name === name)?.value;

describe("a corpus document the catalogue cites, left out with --skip-invalid", () => {
  let dataDir: string;
  let world: World;
  beforeAll(async () => {
    dataDir = await dataWithImpossibleDate();
    world = await World.create({ dataDir, skipInvalid: true });
  });
  afterAll(() => world?.close());

  it("GIVEN no --skip-invalid THEN the bot does not start, naming the file and the field", async () => {
    const refused = await World.create({ dataDir }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CorpusError);
    expect((refused as Error).message).toContain(
      `${BROKEN}.json: field \`date\` is not a real date`,
    );
  });

  it("GIVEN --skip-invalid THEN the bot starts, and logs the document and each fact it set aside", () => {
    const warnings = world.logs.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toContain("skipped invalid corpus document: field `date` is not a real date");
    expect(
      world.logs
        .filter((l) => l.msg.startsWith("catalogue fact set aside"))
        .map((l) => [l.entry, l.field, l.doc]),
    ).toEqual([
      ["claude-opus-4-5", "released", BROKEN],
      ["claude-opus-4-5", "highlights.0", BROKEN],
      ["claude-code", "highlights.1", BROKEN],
      ["claude-code", "highlights.3", BROKEN],
    ]);
    expect(world.errors()).toEqual([]);
  });

  it("GIVEN the card of a model that cited it THEN it shows without those facts, and every source it cites is loaded", async () => {
    const card = await (await world.member.runCommand("model", { name: "opus 4.5" })).reply();
    expect(card.embeds[0]!.title).toBe("Claude Opus 4.5");
    expect(field(card, "Released")).toBeUndefined();
    expect(field(card, "Lab")).toMatch(/^Anthropic \[\d\]$/);
    expect(field(card, "Highlights")!.split("\n")).toHaveLength(4);
    expect(field(card, "Highlights")).not.toContain("incredible amount of hype");
    expect(field(card, "Sources")).not.toContain("commodification of software");
    world.emu.assertClean();
  });

  it("GIVEN a search for its words THEN it is not found, and no date reads 30 Feb 2026", async () => {
    const found = await (
      await world.member.runCommand("search", {
        query: "incredible amount of hype for Claude Code",
      })
    ).reply();
    const names = (found.embeds[0]?.fields ?? []).map((f) => f.name);
    expect(names.join("\n")).not.toContain("commodification of software");
    expect(JSON.stringify(found)).not.toContain("30 Feb");
    world.emu.assertClean();
  });
});

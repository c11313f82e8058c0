import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { FIXTURE_DATA, SHIPPED_DATA, tempDir } from "../helpers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * `npm run validate-data` on a data folder (or run in `cwd` with the environment `env` alone): its
 * exit code and what it printed.
 */
function validate(dataDir: string | undefined, { cwd = ROOT, env = {} } = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const tsx = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
    const script = path.join(ROOT, "src/cli/validate-data.ts");
    const child = spawn(process.execPath, ["--import", tsx, script], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...(dataDir ? { DATA_DIR: dataDir } : {}), ...env },
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

async function copyOfShippedData(): Promise<string> {
  const dir = await tempDir("data-");
  await fs.cp(SHIPPED_DATA, dir, { recursive: true });
  return dir;
}

async function edit(file: string, change: (entry: Record<string, unknown>) => void) {
  const entry = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
  change(entry);
  await fs.writeFile(file, JSON.stringify(entry, null, 2));
}

describe("npm run validate-data", () => {
  it("GIVEN the shipped data THEN it passes and reports the catalogue's counts", async () => {
    const { code, out } = await validate(SHIPPED_DATA);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^corpus: 69 documents valid\ncatalogue: \d+ models, \d+ labs, \d+ families, \d+ products valid; /,
    );
    expect(out).toContain("\nnames the corpus uses at least twice that match no entry (");
    expect(out).toContain("\nentries the corpus never names (");
  });

  it("GIVEN DATA_DIR set in .env THEN it checks that folder, as the bot and the CLI would", async () => {
    const cwd = await tempDir("cwd-");
    await fs.writeFile(path.join(cwd, ".env"), `DATA_DIR=${FIXTURE_DATA}\n`);
    const { code, out } = await validate(undefined, { cwd });
    expect(out).toMatch(
      /^corpus: 8 documents valid\ncatalogue: 6 models, 4 labs, 3 families, 1 products valid; /,
    );
    expect(code).toBe(0);
  });

  it("GIVEN malformed variables THEN it fails with one line for each, never printing a value", async () => {
    const cwd = await tempDir("cwd-");
    await fs.writeFile(path.join(cwd, ".env"), `DATA_DIR=${FIXTURE_DATA}\nBOOKMARK_LIMIT=lots\n`);
    const { code, out } = await validate(undefined, { cwd, env: { LOG_LEVEL: "loud" } });
    expect(code).toBe(1);
    expect(out.trim().split("\n")).toEqual([
      expect.stringMatching(/^LOG_LEVEL .*: one of fatal, error/),
      expect.stringMatching(/^BOOKMARK_LIMIT .*: a whole number from 1 to 10000/),
    ]);
    expect(out).not.toMatch(/lots|loud/);
  });

  it("GIVEN a broken quote, a duplicate alias and a dangling reference THEN it fails naming file, entry and field of each", async () => {
    const dir = await copyOfShippedData();
    const models = path.join(dir, "catalog", "models");
    await edit(path.join(models, "claude-opus-4-5.json"), (e) => {
      const highlights = e.highlights as Array<{ source: { quote: string } }>;
      highlights[0]!.source.quote = "A sentence that no document of the corpus contains at all.";
    });
    await edit(path.join(models, "gpt-5-4-mini.json"), (e) => {
      e.aliases = [...(e.aliases as string[]), "Opus 4.5"];
    });
    await edit(path.join(models, "kimi-k2-thinking.json"), (e) => {
      (e.labs as { value: string[] }).value = ["no-such-lab"];
    });
    const { code, out } = await validate(dir);
    expect(code).toBe(1);
    expect(out).toContain(
      "models/claude-opus-4-5.json (claude-opus-4-5) highlights.0.source.quote: is not found verbatim in",
    );
    expect(out).toMatch(
      /models\/gpt-5-4-mini\.json \(gpt-5-4-mini\) aliases\.\d+: "Opus 4\.5" clashes with a name or alias of claude-opus-4-5/,
    );
    expect(out).toContain(
      'models/kimi-k2-thinking.json (kimi-k2-thinking) labs: names no lab "no-such-lab"',
    );
  });

  it("GIVEN a document dated 2026-02-29 and a model released 2026-02-30 THEN it fails naming both", async () => {
    const dir = await copyOfShippedData();
    const [doc] = (await fs.readdir(path.join(dir, "corpus"))).filter((n) => n.endsWith(".json"));
    await edit(path.join(dir, "corpus", doc!), (meta) => {
      meta.date = "2026-02-29";
    });
    let { code, out } = await validate(dir);
    expect(code).toBe(1);
    expect(out).toContain(`${doc}: field \`date\` is not a real date`);

    await fs.rm(dir, { recursive: true });
    const again = await copyOfShippedData();
    await edit(path.join(again, "catalog", "models", "claude-opus-4-5.json"), (e) => {
      (e.released as { value: { date: string } }).value.date = "2026-02-30";
    });
    ({ code, out } = await validate(again));
    expect(code).toBe(1);
    expect(out).toContain(
      "models/claude-opus-4-5.json (claude-opus-4-5) released.value.date: is not a real date",
    );
  });
});

import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { APIEmbed } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { FeedServer, fixtureFeed } from "../feed-server.js";
import { FIXTURE_DATA, tempDir } from "../helpers.js";

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { DATA_DIR: FIXTURE_DATA, STATE_DIR: await tempDir(), ...env },
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("the offline CLI", () => {
  it("GIVEN --json THEN it prints exactly the payload the bot would send", async () => {
    const { code, stdout } = await cli(["search", "query:distillation attacks", "--json"]);
    expect(code).toBe(0);
    const payload = JSON.parse(stdout);
    expect(Object.keys(payload).sort()).toEqual(["allowed_mentions", "components", "embeds"]);
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    expect(payload.embeds[0].fields[0].name).toBe("1. On distillation attacks — 10 Mar 2025");
  });

  it("GIVEN no --json THEN it prints readable text without markdown escapes", async () => {
    const { code, stdout } = await cli(["search", "query:gpt 5.4 mini"]);
    expect(code).toBe(0);
    expect(stdout).toContain("== Search: gpt 5.4 mini ==");
    expect(stdout).toContain("# 1. GPT-5.4 mini and nano — 5 Mar 2026");
  });

  it("GIVEN nothing found or a bad option value THEN it still exits 0 with the reply", async () => {
    expect((await cli(["search", "query:zzqxj"])).code).toBe(0);
    const bad = await cli(["search", "query:x", "from:soon"]);
    expect(bad).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("`from` must be a date"),
    });
  });

  it.each([
    [["nosuchcommand"], /unknown command "nosuchcommand"/],
    [["search"], /search needs query:<value>/],
    [["search", "query:x", "colour:red"], /search has no option "colour"/],
    [["search", "justtext"], /"justtext" is not name:value/],
    [[], /usage: npm run --silent cli/],
  ])("GIVEN a malformed call %j THEN it exits 2 with a usage line", async (args, message) => {
    const { code, stderr } = await cli(args as string[]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain("usage:");
  });

  it("GIVEN an invalid corpus THEN it exits 1 naming the file, and --skip-invalid answers anyway", async () => {
    const data = await tempDir();
    await fs.cp(FIXTURE_DATA, data, { recursive: true });
    await fs.writeFile(path.join(data, "corpus", "one-word.json"), "{");
    const broken = await cli(["search", "query:distillation"], { DATA_DIR: data });
    expect(broken).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("one-word.json: is not valid JSON"),
    });
    const skipped = await cli(["search", "query:distillation", "--skip-invalid"], {
      DATA_DIR: data,
    });
    expect(skipped.code).toBe(0);
  });

  it("GIVEN a document the catalogue cites is invalid THEN it exits 1 naming it, and --skip-invalid answers without the facts that cite it", async () => {
    const data = await tempDir();
    await fs.cp(FIXTURE_DATA, data, { recursive: true });
    const file = path.join(data, "corpus", "release-notes.json");
    const meta = JSON.parse(await fs.readFile(file, "utf8"));
    await fs.writeFile(file, JSON.stringify({ ...meta, date: "2026-02-30" }));
    const env = { ...process.env, DATA_DIR: data, STATE_DIR: await tempDir() };
    const run = (args: string[]) =>
      exec("npx", ["tsx", "src/cli/main.ts", "model", "name:gpt 5.4 mini", ...args], {
        cwd: ROOT,
        env,
      }).catch((error: { code: number; stdout: string; stderr: string }) => error);

    const refused = await run(["--json"]);
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toBe(
      "The corpus has 1 invalid document(s):\n  release-notes.json: field `date` is not a real date\nFix them, or start with --skip-invalid to load the rest.\n",
    );

    const skipped = await run(["--json", "--skip-invalid"]);
    expect(skipped.stderr).not.toMatch(/Error|\n\s+at /);
    const logged = skipped.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { msg: string; entry?: string; field?: string });
    expect(logged.map((l) => [l.msg, l.entry, l.field])).toEqual([
      ["skipped invalid corpus document: field `date` is not a real date", undefined, undefined],
      ...[
        ["gpt-5-4-mini", "labs"],
        ["gpt-5-4-mini", "family"],
        ["gpt-5-4-mini", "released"],
        ["gpt-5-4-mini", "highlights.0"],
        ["gpt-5-4-nano", "labs"],
        ["openai", "highlights.0"],
        ["gpt-5-4", "labs"],
        ["gpt-5-4", "highlights.0"],
      ].map(([entry, field]) => [
        "catalogue fact set aside: it cites a skipped corpus document",
        entry,
        field,
      ]),
    ]);
    const card = JSON.parse(skipped.stdout).embeds[0] as APIEmbed;
    expect(card.title).toBe("GPT-5.4 mini");
    expect(card.fields!.map((f) => [f.name, f.value])).toEqual([
      ["Lab", "OpenAI"],
      ["Access", "API only"],
      ["Related", "GPT-5.4 nano · o3-mini · o3"],
      // The one document that names it is the one left out.
      ["In the corpus", "Not mentioned in the corpus."],
    ]);
  });

  it("GIVEN ingest THEN the new document is searchable at the next run", async () => {
    const data = await tempDir();
    await fs.cp(FIXTURE_DATA, data, { recursive: true });
    const file = path.join(data, "note.txt");
    await fs.writeFile(file, "Speculative decoding drafts tokens with a small model.");
    const added = await cli(
      [
        "ingest",
        file,
        "--title",
        "Speculative decoding",
        "--date",
        "2026-04-02",
        "--source",
        "Lab Notes",
      ],
      { DATA_DIR: data },
    );
    expect(added).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("as speculative-decoding"),
    });
    const found = await cli(["search", "query:speculative decoding", "--json"], { DATA_DIR: data });
    expect(JSON.parse(found.stdout).embeds[0].fields[0].name).toBe(
      "1. Speculative decoding — 2 Apr 2026",
    );
    expect((await cli(["ingest", file, "--title", "x"], { DATA_DIR: data })).code).toBe(2);
    const leap = await cli(["ingest", file, "--title", "Leap", "--date", "2026-02-29"], {
      DATA_DIR: data,
    });
    expect(leap).toMatchObject({
      code: 2,
      stderr: '--date must be a real date like 2026, 2026-03 or 2026-03-14 (got "2026-02-29").',
    });
  });

  it("GIVEN ingest flags as --name=value and before the file THEN they are read the same; an unknown flag is named", async () => {
    const data = await tempDir();
    await fs.cp(FIXTURE_DATA, data, { recursive: true });
    const file = path.join(data, "moe.md");
    await fs.writeFile(file, "Mixture of experts routes each token to a few experts.");
    const added = await cli(
      [
        "ingest",
        "--title=Mixture of experts, briefly",
        "--date",
        "2026-03",
        file,
        "--source=Lab Notes",
      ],
      { DATA_DIR: data },
    );
    expect(added).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("as mixture-of-experts-briefly (2026-03-01, Lab Notes)"),
    });
    const typo = await cli(["ingest", file, "--titel", "x", "--date", "2026"], { DATA_DIR: data });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^ingest: Unknown option '--titel'\n/);
    const twoFiles = await cli(["ingest", file, file, "--title", "x", "--date", "2026"], {
      DATA_DIR: data,
    });
    expect(twoFiles.stderr).toMatch(/^ingest: one file at a time/);
  });

  it("GIVEN the real entry point THEN the process exit codes match (0 reply, 2 usage)", async () => {
    const env = { ...process.env, DATA_DIR: FIXTURE_DATA, STATE_DIR: await tempDir() };
    const ok = await exec(
      "npx",
      ["tsx", "src/cli/main.ts", "search", "query:quantization", "--json"],
      { cwd: ROOT, env },
    );
    expect(JSON.parse(ok.stdout).embeds[0].fields).toHaveLength(2);
    await expect(
      exec("npx", ["tsx", "src/cli/main.ts", "search"], { cwd: ROOT, env }),
    ).rejects.toMatchObject({ code: 2 });
  });

  it("GIVEN feeds THEN `feeds` lists them, `feeds poll` stores their items, and the corpus answers from them", async () => {
    const server = await FeedServer.start();
    try {
      server.serve("/lab-notes.xml", { body: fixtureFeed("lab-notes.rss.xml") });
      const env = {
        STATE_DIR: await tempDir(),
        FEEDS: JSON.stringify([
          { url: server.url("/lab-notes.xml"), source: "Lab Notes", kind: "newsletter" },
          { url: server.url("/moved-away"), source: "Old Blog" },
        ]),
      };
      expect((await cli(["feeds"], env)).stdout).toBe(
        `Lab Notes — ${server.url("/lab-notes.xml")}\n  not polled yet\nOld Blog — ${server.url("/moved-away")}\n  not polled yet`,
      );

      const polled = await cli(["feeds", "poll"], env);
      expect(polled.code).toBe(0);
      expect(polled.stdout.split("\n").sort()).toEqual([
        `${server.url("/lab-notes.xml")}: 3 added, 0 changed, 0 skipped`,
        `${server.url("/moved-away")}: failed: the server answered 404`,
      ]);

      const listed = await cli(["feeds", "--json"], env);
      expect(
        JSON.parse(listed.stdout).map(
          (f: { status: string; documents: number; reason: string | null }) => [
            f.status,
            f.documents,
            f.reason,
          ],
        ),
      ).toEqual([
        ["ok", 3, null],
        ["failing", 0, "the server answered 404"],
      ]);
      expect((await cli(["feeds"], env)).stdout).toMatch(
        /^ {2}failing since \d+ \w+ \d{4} \d\d:\d\d UTC \(1 in a row\): the server answered 404 · next try after .* · 0 documents$/m,
      );

      const found = await cli(["search", "query:kimi k3 open-sourced", "--json"], env);
      expect(JSON.parse(found.stdout).embeds[0].fields[0].name).toBe(
        "1. Kimi K3 and the open-weight autumn — 16 Nov 2026",
      );
      expect((await cli(["feeds", "enable", "https://nowhere.example/feed"], env)).stdout).toBe(
        "No feed https://nowhere.example/feed has been polled; `npm run cli -- feeds` lists them.",
      );
      expect((await cli(["feeds", "refresh"], env)).code).toBe(2);
    } finally {
      await server.close();
    }
  });
});

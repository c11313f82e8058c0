import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
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

import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CorpusError, loadCorpus } from "../../src/corpus/load.js";
import { ingestDocument } from "../../src/corpus/ingest.js";
import { FIXTURE_DATA, SHIPPED_DATA, tempDir } from "../helpers.js";

async function copyFixtures(): Promise<string> {
  const dir = path.join(await tempDir(), "corpus");
  await fs.cp(path.join(FIXTURE_DATA, "corpus"), dir, { recursive: true });
  return dir;
}

describe("corpus loading", () => {
  it("GIVEN the fixture corpus THEN every document loads, newest first", async () => {
    const corpus = await loadCorpus(path.join(FIXTURE_DATA, "corpus"));
    expect(corpus.documents.map((d) => d.id)).toEqual([
      "release-notes",
      "mentions-edge",
      "one-word",
      "words-apart",
      "exact-phrase",
      "newer-twin",
      "older-twin",
      "markdown-trap",
    ]);
    expect(corpus.byId.get("exact-phrase")?.url).toBe("https://example.com/exact-phrase");
  });

  it("GIVEN a document with a malformed date THEN loading fails naming the file and the field", async () => {
    const dir = await copyFixtures();
    const file = path.join(dir, "one-word.json");
    const meta = JSON.parse(await fs.readFile(file, "utf8"));
    await fs.writeFile(file, JSON.stringify({ ...meta, date: "last spring" }));
    await expect(loadCorpus(dir)).rejects.toThrowError(
      /one-word\.json: field `date` must be YYYY-MM-DD/,
    );
  });

  it.each(["2026-02-30", "2026-02-29", "2025-04-31"])(
    "GIVEN a document dated %s, a day the calendar does not have THEN loading fails naming the file and the field",
    async (date) => {
      const dir = await copyFixtures();
      const file = path.join(dir, "one-word.json");
      const meta = JSON.parse(await fs.readFile(file, "utf8"));
      await fs.writeFile(file, JSON.stringify({ ...meta, date }));
      await expect(loadCorpus(dir)).rejects.toThrowError(
        /one-word\.json: field `date` is not a real date/,
      );
    },
  );

  it("GIVEN a corrupt JSON file THEN loading fails, and --skip-invalid loads the rest", async () => {
    const dir = await copyFixtures();
    await fs.writeFile(path.join(dir, "words-apart.json"), "{ not json");
    await expect(loadCorpus(dir)).rejects.toBeInstanceOf(CorpusError);
    const corpus = await loadCorpus(dir, { skipInvalid: true });
    expect(corpus.documents).toHaveLength(7);
    expect(corpus.byId.has("words-apart")).toBe(false);
    expect(corpus.skipped).toEqual([
      { file: "words-apart.json", message: expect.stringMatching(/not valid JSON/) },
    ]);
  });

  it("GIVEN metadata without its text file THEN the problem names the missing file", async () => {
    const dir = await copyFixtures();
    await fs.rm(path.join(dir, "one-word.txt"));
    await expect(loadCorpus(dir)).rejects.toThrowError(
      /one-word\.json: its text file one-word\.txt is missing/,
    );
  });

  it("GIVEN an id that differs from the file name THEN it is rejected", async () => {
    const dir = await copyFixtures();
    const meta = JSON.parse(await fs.readFile(path.join(dir, "one-word.json"), "utf8"));
    await fs.writeFile(
      path.join(dir, "one-word.json"),
      JSON.stringify({ ...meta, id: "another-id" }),
    );
    await expect(loadCorpus(dir)).rejects.toThrowError(/field `id` is "another-id" but must match/);
  });

  it("GIVEN a changed text THEN the fingerprint changes (so the index is rebuilt)", async () => {
    const dir = await copyFixtures();
    const before = (await loadCorpus(dir)).fingerprint;
    await fs.appendFile(path.join(dir, "one-word.txt"), " One more sentence.");
    expect((await loadCorpus(dir)).fingerprint).not.toBe(before);
  });

  it("GIVEN the shipped corpus THEN all 69 documents load with valid metadata", async () => {
    const corpus = await loadCorpus(path.join(SHIPPED_DATA, "corpus"));
    expect(corpus.documents).toHaveLength(69);
    expect(corpus.documents.filter((d) => d.source === "Interconnects")).toHaveLength(62);
  });
});

describe("ingest", () => {
  it("GIVEN a Markdown file THEN it is added with validated metadata and loads at the next start", async () => {
    const dir = await copyFixtures();
    const file = path.join(await tempDir(), "note.md");
    await fs.writeFile(
      file,
      "# Mixture of experts\n\nSparse models route each token to a few experts.",
    );
    const meta = await ingestDocument(dir, {
      file,
      title: "Mixture of experts, briefly",
      date: "2026-03",
      url: "https://example.com/moe",
    });
    expect(meta).toMatchObject({
      id: "mixture-of-experts-briefly",
      date: "2026-03-01",
      datePrecision: "month",
      format: "markdown",
    });
    const corpus = await loadCorpus(dir);
    expect(corpus.byId.get("mixture-of-experts-briefly")?.file).toBe(
      "mixture-of-experts-briefly.md",
    );
  });

  it("GIVEN text whose source lost its paragraph breaks THEN the corpus copy has them back, and nothing else changes", async () => {
    const dir = await copyFixtures();
    const file = path.join(await tempDir(), "glued.txt");
    await fs.writeFile(
      file,
      "Distillation spreads capabilities through economic activities.We went through this " +
        "before with the U.S. labs.What comes nextThe models listed:* Kimi K3* Qwen4",
    );
    const meta = await ingestDocument(dir, { file, title: "Glued", date: "2026-03" });
    expect(await fs.readFile(path.join(dir, "glued.txt"), "utf8")).toBe(
      "Distillation spreads capabilities through economic activities.\n\nWe went through this " +
        "before with the U.S. labs.\n\nWhat comes next\n\nThe models listed:\n* Kimi K3\n* Qwen4",
    );
    expect(meta.format).toBe("text");
  });

  it("GIVEN Markdown with code and emphasis THEN ingest copies it unchanged", async () => {
    const dir = await copyFixtures();
    const file = path.join(await tempDir(), "code.md");
    const markdown =
      "# Serving\n\nCall `engine.generate()` with *really* short prompts.\n\n" +
      "```js\nconst server = createServer();server.listen(8080);ready.Then(serve);\n```\n";
    await fs.writeFile(file, markdown);
    await ingestDocument(dir, { file, title: "Serving", date: "2026-03" });
    expect(await fs.readFile(path.join(dir, "serving.md"), "utf8")).toBe(markdown);
  });

  it("GIVEN a bad date, a non-https link or a taken id THEN nothing is written", async () => {
    const dir = await copyFixtures();
    const file = path.join(await tempDir(), "note.txt");
    await fs.writeFile(file, "Some text.");
    const before = (await fs.readdir(dir)).sort();
    await expect(ingestDocument(dir, { file, title: "T", date: "yesterday" })).rejects.toThrowError(
      /--date/,
    );
    await expect(
      ingestDocument(dir, { file, title: "T", date: "2026", url: "http://x.y" }),
    ).rejects.toThrowError(/url/);
    await expect(
      ingestDocument(dir, { file, title: "One word", date: "2026", id: "one-word" }),
    ).rejects.toThrowError(/already exists/);
    expect((await fs.readdir(dir)).sort()).toEqual(before);
  });

  it.each(["2026-02-30", "2026-02-29", "2026-13", "2026-00"])(
    "GIVEN --date %s, which the calendar does not have THEN it is refused and nothing is written",
    async (date) => {
      const dir = await copyFixtures();
      const file = path.join(await tempDir(), "note.txt");
      await fs.writeFile(file, "Some text.");
      const before = (await fs.readdir(dir)).sort();
      await expect(ingestDocument(dir, { file, title: "Leap day", date })).rejects.toThrowError(
        `--date must be a real date like 2026, 2026-03 or 2026-03-14 (got "${date}").`,
      );
      expect((await fs.readdir(dir)).sort()).toEqual(before);
    },
  );

  it("GIVEN --date 2024-02-29, a leap day THEN the document is added with it", async () => {
    const dir = await copyFixtures();
    const file = path.join(await tempDir(), "note.txt");
    await fs.writeFile(file, "Some text.");
    const meta = await ingestDocument(dir, { file, title: "Leap day", date: "2024-02-29" });
    expect(meta).toMatchObject({ date: "2024-02-29", datePrecision: "day" });
  });
});

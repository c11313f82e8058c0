import fs from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catalogNames } from "../../src/candidates/detect.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { loadCorpus, readDocumentText } from "../../src/corpus/load.js";
import { FeedSource } from "../../src/feeds/config.js";
import { DEFAULT_FETCH_LIMITS } from "../../src/feeds/fetch.js";
import { feedDocumentsDir, ingestFeedItems } from "../../src/feeds/ingest.js";
import { FeedPoller, type FeedPollReport } from "../../src/feeds/poller.js";
import { readFeed } from "../../src/feeds/parse.js";
import { describeFeeds, feedStatuses } from "../../src/feeds/status.js";
import { FeedServer, fixtureFeed } from "../feed-server.js";
import { openStorage } from "../../src/store/storage.js";
import { FIXTURE_DATA, silentLogger, tempDir } from "../helpers.js";
import { freshDatabase } from "../postgres.js";

const START = Date.parse("2026-11-24T12:00:00Z");
const HOUR = 60 * 60_000;
const LIMITS = { ...DEFAULT_FETCH_LIMITS, timeoutMs: 1500 };
const known = catalogNames(await loadCatalog(path.join(FIXTURE_DATA, "catalog")));

interface LogLine {
  level: number;
  msg: string;
  feed?: string;
}

/** A store file, a state folder, a clock and a feed server: what one or more pollers share. */
class Rig {
  readonly logs: LogLine[] = [];
  readonly logger = pino(
    { level: "info" },
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString("utf8").split("\n"))
          if (line) this.logs.push(JSON.parse(line) as LogLine);
        done();
      },
    }),
  );
  now = START;
  private readonly opened: Array<{ close(): Promise<void> }> = [];

  private constructor(
    readonly server: FeedServer,
    readonly stateDir: string,
    /** The shared database, for a rig on Postgres; the state folder's SQLite file otherwise. */
    private readonly postgresUrl: string | undefined,
  ) {}

  static async create(kind: "SQLite" | "Postgres"): Promise<Rig> {
    return new Rig(
      await FeedServer.start(),
      await tempDir("feeds-"),
      kind === "Postgres" ? await freshDatabase() : undefined,
    );
  }

  get storeFile(): string {
    return path.join(this.stateDir, "modeldex.sqlite");
  }

  get documentsDir(): string {
    return feedDocumentsDir(this.stateDir);
  }

  feed(route: string, source: string, extra: Partial<FeedSource> = {}): FeedSource {
    return FeedSource.parse({ url: this.server.url(route), source, ...extra });
  }

  /** A poller with its own connections to the store, as another process would have. */
  async poller(
    feeds: FeedSource[],
    onChange?: (ids: string[]) => Promise<void>,
    documentsDir = this.documentsDir,
  ) {
    const storage = await openStorage(
      { storePath: this.storeFile, postgresUrl: this.postgresUrl, storeTimeoutMs: 5_000 },
      silentLogger,
    );
    this.opened.push(storage);
    const { items: repository, candidates } = await storage.openFeeds();
    const poller = new FeedPoller({
      feeds,
      repository,
      candidates,
      knownNames: () => known,
      documentsDir,
      now: () => new Date(this.now),
      logger: this.logger,
      limits: LIMITS,
      onChange,
    });
    return { poller, repository, candidates };
  }

  async documents() {
    const corpus = await loadCorpus(path.join(FIXTURE_DATA, "corpus"), {
      gatheredDir: this.documentsDir,
    });
    const gathered = corpus.documents.filter((d) => d.file.includes("feeds"));
    return { corpus, gathered, skipped: corpus.skipped };
  }

  async close(): Promise<void> {
    for (const connection of this.opened) await connection.close();
    await this.server.close();
  }
}

const byUrl = (reports: FeedPollReport[], url: string) => reports.find((r) => r.url === url)!;

let rig: Rig;

describe.each(["SQLite", "Postgres"] as const)("feeds on %s", (kind) => {
  beforeEach(async () => {
    rig = await Rig.create(kind);
  });
  afterEach(async () => {
    await rig.close();
  });

  describe("polling feeds", () => {
    it("GIVEN an RSS feed and an Atom feed THEN each item becomes a corpus document with validated metadata and plain text", async () => {
      rig.server.serve("/lab-notes.xml", { body: fixtureFeed("lab-notes.rss.xml"), etag: '"v1"' });
      rig.server.serve("/briefing.atom", {
        body: fixtureFeed("briefing.atom.xml"),
        type: "application/atom+xml",
      });
      const notes = rig.feed("/lab-notes.xml", "Lab Notes", { kind: "newsletter" });
      const briefing = rig.feed("/briefing.atom", "AI briefing", {
        kind: "briefing",
        author: "Briefing staff",
      });
      const changes: string[][] = [];
      const { poller, candidates } = await rig.poller([notes, briefing], async (ids) => {
        changes.push(ids);
      });

      const reports = await poller.pollAll();

      expect(byUrl(reports, notes.url)).toMatchObject({ outcome: "fetched", changed: [] });
      expect(byUrl(reports, notes.url).added).toHaveLength(3);
      expect(byUrl(reports, briefing.url).added).toHaveLength(2);
      const { corpus, gathered, skipped } = await rig.documents();
      expect(skipped).toEqual([]);
      expect(gathered.map((d) => [d.title, d.source, d.date, d.kind, d.author, d.url])).toEqual([
        [
          "Notes on post-training budgets",
          "Lab Notes",
          "2026-11-23",
          "newsletter",
          undefined,
          "https://labnotes.example.com/p/post-training-budgets",
        ],
        [
          "Chips, agents & a new open model",
          "AI briefing",
          "2026-11-20",
          "briefing",
          "The briefing desk",
          "https://briefing.example.com/2026/w47",
        ],
        [
          "Distillation, again",
          "Lab Notes",
          "2026-11-19",
          "newsletter",
          "Ada Lindqvist",
          "https://labnotes.example.com/p/distillation-again",
        ],
        [
          "Kimi K3 and the open-weight autumn",
          "Lab Notes",
          "2026-11-16",
          "newsletter",
          "Ada Lindqvist",
          "https://labnotes.example.com/p/kimi-k3-open-weight-autumn",
        ],
        // An http link is not kept (documents link over https only); the staff credit fills in.
        [
          "Safety cases, revisited",
          "AI briefing",
          "2026-11-14",
          "briefing",
          "Briefing staff",
          undefined,
        ],
      ]);
      expect(gathered.every((d) => d.datePrecision === "day" && d.dateBasis === "stated")).toBe(
        true,
      );
      expect(corpus.documents.length).toBe(gathered.length + 8);

      const kimi = gathered.find((d) => d.title.startsWith("Kimi"))!;
      const text = await readDocumentText(corpus, kimi);
      expect(text).toContain("Moonshot AI open-sourced Kimi K3 last Tuesday");
      expect(text).toContain("at a fraction of the price & latency.");
      expect(text).toContain("\n\nWhat the report says\n\n");
      expect(text).not.toMatch(/<|&amp;|k3-chart|Scores against price/);

      // The new names in the new documents are waiting for moderators, with their sentences.
      const waiting = await candidates.listCandidates("guild-1", { limit: 10 });
      // Found in the same poll: the newer document first, each in the order of its text.
      expect(waiting.map((c) => [c.name, c.docId])).toEqual([
        ["Zephyr Labs", gathered[1]!.id],
        ["Aurora 2", gathered[1]!.id],
        ["Moonshot AI", kimi.id],
        ["Kimi K3", kimi.id],
      ]);
      expect(waiting[3]!.sentence).toBe(
        "Moonshot AI open-sourced Kimi K3 last Tuesday, with weights under a modified MIT licence.",
      );
      expect(changes).toEqual(
        [gathered.map((d) => d.id).sort()].map((ids) => expect.arrayContaining(ids)),
      );
    });

    it("GIVEN a process on the same store with another state folder THEN its first round writes every stored document there and announces them", async () => {
      rig.server.serve("/lab-notes.xml", { body: fixtureFeed("lab-notes.rss.xml"), etag: '"v1"' });
      const feed = rig.feed("/lab-notes.xml", "Lab Notes");
      const first = await rig.poller([feed]);
      await first.poller.pollAll();
      const elsewhere = path.join(await tempDir("elsewhere-"), "documents");
      const announced: string[][] = [];
      const second = await rig.poller([feed], async (ids) => void announced.push(ids), elsewhere);

      rig.now += HOUR;
      await second.poller.pollAll();
      rig.now += HOUR;
      await second.poller.pollAll();

      const names = (dir: string) => fs.readdir(dir).then((n) => n.sort());
      expect(await names(elsewhere)).toEqual(await names(rig.documentsDir));
      for (const name of await names(elsewhere))
        expect(await fs.readFile(path.join(elsewhere, name), "utf8")).toBe(
          await fs.readFile(path.join(rig.documentsDir, name), "utf8"),
        );
      // Once, at the first round; the second round has nothing new to tell.
      expect(announced.map((ids) => ids.length)).toEqual([3]);
    });

    it("GIVEN a second poll THEN an unchanged feed costs a 304 or adds nothing, also after a restart", async () => {
      rig.server.serve("/lab-notes.xml", { body: fixtureFeed("lab-notes.rss.xml"), etag: '"v1"' });
      // This server ignores validators: the items' guids tell that nothing is new.
      rig.server.serve("/briefing.atom", { body: fixtureFeed("briefing.atom.xml") });
      const feeds = [
        rig.feed("/lab-notes.xml", "Lab Notes"),
        rig.feed("/briefing.atom", "AI briefing"),
      ];
      const first = await rig.poller(feeds);
      await first.poller.pollAll();
      const files = await fs.readdir(rig.documentsDir);

      rig.now += HOUR;
      const again = await first.poller.pollAll();
      rig.now += HOUR;
      const restarted = await (await rig.poller(feeds)).poller.pollAll();

      for (const reports of [again, restarted]) {
        expect(byUrl(reports, feeds[0]!.url)).toMatchObject({ outcome: "not-modified", added: [] });
        expect(byUrl(reports, feeds[1]!.url)).toMatchObject({
          outcome: "fetched",
          added: [],
          changed: [],
        });
      }
      expect(
        rig.server.hits("/lab-notes.xml").map((h) => [h.headers["if-none-match"], h.status]),
      ).toEqual([
        [undefined, 200],
        ['"v1"', 304],
        ['"v1"', 304],
      ]);
      expect(await fs.readdir(rig.documentsDir)).toEqual(files);
    });

    it("GIVEN an item whose text changed THEN its document is rewritten under the same id, not duplicated", async () => {
      const rss = fixtureFeed("lab-notes.rss.xml");
      rig.server.serve("/lab-notes.xml", {
        body: rss,
        lastModified: "Mon, 23 Nov 2026 08:00:00 GMT",
      });
      const feed = rig.feed("/lab-notes.xml", "Lab Notes");
      const { poller, candidates } = await rig.poller([feed]);
      const [first] = await poller.pollAll();
      const files = await fs.readdir(rig.documentsDir);

      rig.server.serve("/lab-notes.xml", {
        body: rss.replace(
          "Moonshot AI open-sourced Kimi K3 last Tuesday",
          "Moonshot AI open-sourced Kimi K3 and Kimi K3 Mini last Tuesday",
        ),
        lastModified: "Tue, 24 Nov 2026 13:00:00 GMT",
      });
      rig.now += HOUR;
      const [second] = await poller.pollAll();

      const kimiId = first!.added.find((id) => id.startsWith("kimi-k3"))!;
      expect(second).toMatchObject({ outcome: "fetched", added: [], changed: [kimiId] });
      expect(await fs.readdir(rig.documentsDir)).toEqual(files);
      const { corpus } = await rig.documents();
      expect(await readDocumentText(corpus, corpus.byId.get(kimiId)!)).toContain(
        "Kimi K3 and Kimi K3 Mini",
      );
      expect((await candidates.listCandidates("g", { limit: 10 })).map((c) => c.name)).toContain(
        "Kimi K3 Mini",
      );
      expect(rig.server.hits("/lab-notes.xml")[1]!.headers["if-modified-since"]).toBe(
        "Mon, 23 Nov 2026 08:00:00 GMT",
      );
    });

    it("GIVEN an item whose plain text lost its paragraph breaks THEN its document has them back", async () => {
      rig.server.serve("/podcast.xml", {
        body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Podcast</title>
          <item><title>Episode 12</title><guid>e12</guid><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
            <description>We talk about open models in the U.S. and China.In this episode:* Distillation* Kimi K3Chapters00:00 Intro05:10 Distillation</description></item>
          <item><title>Episode 13</title><guid>e13</guid><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
            <description><![CDATA[<p>A first paragraph.</p><p>A second one.</p>]]></description></item>
        </channel></rss>`,
      });
      const [report] = await (
        await rig.poller([rig.feed("/podcast.xml", "Podcast")])
      ).poller.pollAll();

      expect(report!.added).toHaveLength(2);
      const { corpus, gathered } = await rig.documents();
      const texts = await Promise.all(gathered.map((d) => readDocumentText(corpus, d)));
      expect(texts).toEqual([
        "A first paragraph.\n\nA second one.\n",
        "We talk about open models in the U.S. and China.\n\nIn this episode:\n* Distillation\n" +
          "* Kimi K3\n\nChapters\n00:00 Intro\n05:10 Distillation\n",
      ]);
    });

    it("GIVEN an item without a title and one without text THEN only those are skipped, with their reasons logged", async () => {
      rig.server.serve("/mixed.xml", {
        body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title>
        <item><guid>a</guid><description>An item with no title at all.</description></item>
        <item><title>Only a title</title><guid>b</guid></item>
        <item><title>Dated nonsense</title><guid>c</guid><pubDate>the day after tomorrow</pubDate>
          <description>Still a fine item, just undated.</description></item>
      </channel></rss>`,
      });
      const feed = rig.feed("/mixed.xml", "Mixed");
      const [report] = await (await rig.poller([feed])).poller.pollAll();

      expect(report!.outcome).toBe("fetched");
      expect(report!.added).toHaveLength(1);
      expect(report!.skipped).toEqual([
        { item: "a", reason: "it has no title" },
        { item: "Only a title", reason: "it has no text" },
      ]);
      const { gathered } = await rig.documents();
      expect(gathered.map((d) => [d.title, d.date, d.dateBasis, d.dateEvidence])).toEqual([
        [
          "Dated nonsense",
          "2026-11-24",
          "inferred",
          "The feed gives no date; first seen in the feed on 2026-11-24.",
        ],
      ]);
      expect(
        rig.logs.filter((l) => l.msg.startsWith("feed item skipped")).map((l) => l.msg),
      ).toEqual(["feed item skipped: it has no title", "feed item skipped: it has no text"]);
    });
  });

  describe("feeds that fail", () => {
    const EVERY_ROUTE = [
      "/good.xml",
      "/gone-404",
      "/gone-410",
      "/page",
      "/broken.xml",
      "/huge.xml",
      "/loop-a",
      "/hang",
    ];

    /** Every way a feed can fail, beside one good feed; `routes` picks the feeds polled. */
    async function failingWorld(routes = EVERY_ROUTE) {
      const { server } = rig;
      server.serve("/good.xml", { body: fixtureFeed("lab-notes.rss.xml") });
      server.route("/gone-404", (_req, res) => res.writeHead(404).end("Not Found"));
      server.route("/gone-410", (_req, res) => res.writeHead(410).end("Gone"));
      server.serve("/page", {
        type: "text/html",
        body: "<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Welcome<br></body></html>",
      });
      server.serve("/broken.xml", { body: fixtureFeed("lab-notes.rss.xml").slice(0, 1500) });
      // Each request is offered 50 MB; what each got before the reader hung up is recorded.
      const huge: number[] = [];
      server.route("/huge.xml", (_req, res) => {
        res.writeHead(200, { "content-type": "application/rss+xml" });
        const request = huge.push(0) - 1;
        const chunk = Buffer.alloc(64 * 1024, "<!-- padding -->");
        const pump = () => {
          while (huge[request]! < 50 * 1024 * 1024 && !res.destroyed) {
            huge[request]! += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        pump();
      });
      server.route("/loop-a", (_req, res) => res.writeHead(302, { location: "/loop-b" }).end());
      server.route("/loop-b", (_req, res) => res.writeHead(301, { location: "/loop-a" }).end());
      server.route("/hang", () => undefined);
      const feeds = routes.map((r) => rig.feed(r, `Feed ${r}`));
      return { feeds, huge, ...(await rig.poller(feeds)) };
    }

    it("GIVEN 404, 410, a web page, broken XML, 50 MB, a redirect loop and silence THEN each ends in its documented state and the good feed is ingested", async () => {
      const { feeds, huge, poller, repository } = await failingWorld();
      const reports = await poller.pollAll();

      const outcome = (route: string) => {
        const report = byUrl(reports, rig.server.url(route));
        return [report.outcome, report.reason];
      };
      expect(byUrl(reports, feeds[0]!.url)).toMatchObject({ outcome: "fetched" });
      expect(byUrl(reports, feeds[0]!.url).added).toHaveLength(3);
      expect(outcome("/gone-404")).toEqual(["gone", "the server answered 404"]);
      expect(outcome("/gone-410")).toEqual(["gone", "the server answered 410"]);
      expect(outcome("/page")).toEqual(["gone", "the server sent a web page, not a feed"]);
      expect(outcome("/broken.xml")).toEqual([
        "failed",
        expect.stringMatching(/^the feed is not well-formed XML/),
      ]);
      expect(outcome("/huge.xml")).toEqual(["failed", "larger than 5 MB"]);
      expect(outcome("/loop-a")).toEqual(["failed", "redirect loop"]);
      expect(outcome("/hang")).toEqual(["failed", "no answer within 1.5 s"]);
      // The big body was cut off, not read to the end.
      expect(huge).toHaveLength(1);
      expect(huge[0]).toBeLessThan(50 * 1024 * 1024);
      expect(rig.server.hits("/loop-a")).toHaveLength(1);
      expect(rig.server.hits("/loop-b")).toHaveLength(1);

      const { gathered } = await rig.documents();
      expect(gathered).toHaveLength(3);
      const states = feedStatuses(feeds, await repository.listFeeds());
      expect(states.map((s) => [s.status, s.failures])).toEqual([
        ["ok", 0],
        ...Array.from({ length: 7 }, () => ["failing", 1]),
      ]);
      expect(states[1]!.nextPollAt).toBe(new Date(START + 30 * 60_000).toISOString());
    });

    it("GIVEN a failing feed THEN it is not fetched again before its wait, and waits grow with each failure", async () => {
      const { poller, repository } = await failingWorld(["/broken.xml"]);
      await poller.pollAll();
      const hitsBefore = rig.server.hits("/broken.xml").length;

      rig.now += 20 * 60_000;
      const early = byUrl(await poller.pollAll(), rig.server.url("/broken.xml"));
      expect(early.outcome).toBe("busy");
      expect(rig.server.hits("/broken.xml")).toHaveLength(hitsBefore);

      rig.now = START + 31 * 60_000;
      await poller.pollAll();
      const broken = (await repository.listFeeds()).find((f) => f.url.endsWith("/broken.xml"))!;
      expect(broken).toMatchObject({ failures: 2, failingSince: START, disabledAt: null });
      expect(broken.nextPollAt - rig.now).toBe(60 * 60_000);
    });

    it("GIVEN a feed gone or not a feed for a day THEN it is disabled, the reason is logged and listed, and other failures never disable", async () => {
      const routes = ["/good.xml", "/gone-404", "/gone-410", "/page", "/broken.xml", "/loop-a"];
      const { feeds, poller, repository } = await failingWorld(routes);
      await poller.pollAll();
      // Polled whenever its wait is over (the waits double from 30 minutes), for two days.
      for (let i = 0; i < 12 && rig.now - START < 48 * HOUR; i++) {
        rig.now += 4 * HOUR;
        await poller.pollAll();
      }

      const statuses = feedStatuses(feeds, await repository.listFeeds());
      const listed = Object.fromEntries(statuses.map((s) => [new URL(s.url).pathname, s.status]));
      expect(listed).toEqual({
        "/good.xml": "ok",
        "/gone-404": "disabled",
        "/gone-410": "disabled",
        "/page": "disabled",
        "/broken.xml": "failing",
        "/loop-a": "failing",
      });
      expect(statuses[1]!.reason).toBe(
        "the server answered 404, on every poll since 24 Nov 2026 12:00 UTC",
      );
      const disabledLogs = rig.logs.filter((l) => l.msg.startsWith("feed disabled"));
      expect(disabledLogs.map((l) => [l.level, l.msg]).sort()).toEqual([
        [50, "feed disabled: the server answered 404, on every poll since 24 Nov 2026 12:00 UTC"],
        [50, "feed disabled: the server answered 410, on every poll since 24 Nov 2026 12:00 UTC"],
        [
          50,
          "feed disabled: the server sent a web page, not a feed, on every poll since 24 Nov 2026 12:00 UTC",
        ],
      ]);
      const text = describeFeeds(statuses);
      expect(text).toContain(
        `Feed /gone-404 — ${rig.server.url("/gone-404")}\n  disabled: the server answered 404, on every poll since 24 Nov 2026 12:00 UTC · 0 documents\n  to poll it again: npm run cli -- feeds enable ${rig.server.url("/gone-404")}`,
      );

      // A disabled feed is not fetched; enabling it polls it at the next round.
      const hits = rig.server.hits("/gone-404").length;
      rig.now += 2 * 24 * HOUR;
      await poller.pollAll();
      expect(rig.server.hits("/gone-404")).toHaveLength(hits);
      expect(await repository.enableFeed(rig.server.url("/gone-404"))).toBe(true);
      rig.server.serve("/gone-404", { body: fixtureFeed("briefing.atom.xml") });
      const back = byUrl(await poller.pollAll(), rig.server.url("/gone-404"));
      expect(back.outcome).toBe("fetched");
      expect(back.added).toHaveLength(2);
    });

    it("GIVEN a feed that comes back within the day THEN its clock starts over", async () => {
      const { poller, repository } = await failingWorld(["/gone-404"]);
      await poller.pollAll();
      rig.now += 12 * HOUR;
      rig.server.serve("/gone-404", { body: fixtureFeed("briefing.atom.xml") });
      await poller.pollAll();
      rig.server.route("/gone-404", (_req, res) => res.writeHead(404).end());
      rig.now += 20 * HOUR;
      await poller.pollAll();

      const state = (await repository.listFeeds()).find((f) => f.url.endsWith("/gone-404"))!;
      expect(state).toMatchObject({ disabledAt: null, failures: 1, goneSince: rig.now });
    });
  });

  describe("several pollers on one store", () => {
    it("GIVEN two pollers on separate connections polling the same feeds at once THEN each item becomes one document", async () => {
      rig.server.serve("/lab-notes.xml", { body: fixtureFeed("lab-notes.rss.xml") });
      rig.server.serve("/briefing.atom", { body: fixtureFeed("briefing.atom.xml") });
      const feeds = [
        rig.feed("/lab-notes.xml", "Lab Notes"),
        rig.feed("/briefing.atom", "AI briefing"),
      ];
      const a = await rig.poller(feeds);
      const b = await rig.poller(feeds);

      const [ra, rb] = await Promise.all([a.poller.pollAll(), b.poller.pollAll()]);

      const added = [...ra, ...rb].flatMap((r) => r.added);
      expect(added).toHaveLength(5);
      expect(new Set(added).size).toBe(5);
      expect((await rig.documents()).gathered).toHaveLength(5);
      expect(rig.server.hits("/lab-notes.xml")).toHaveLength(1);
    });

    it("GIVEN the same posts in two feeds ingested by two pollers at once THEN each post is stored once, by its link", async () => {
      const rss = fixtureFeed("lab-notes.rss.xml");
      rig.server.serve("/lab-notes.xml", { body: rss });
      // A mirror with its own guids: only the links say these are the same posts.
      rig.server.serve("/mirror.xml", { body: rss.replaceAll("lab-notes-2026", "mirror-2026") });
      const a = await rig.poller([rig.feed("/lab-notes.xml", "Lab Notes")]);
      const b = await rig.poller([rig.feed("/mirror.xml", "Lab Notes")]);

      for (let round = 0; round < 3; round++) {
        rig.now += HOUR;
        await Promise.all([a.poller.pollAll(), b.poller.pollAll()]);
      }

      const { gathered } = await rig.documents();
      expect(gathered.map((d) => d.title).sort()).toEqual([
        "Distillation, again",
        "Kimi K3 and the open-weight autumn",
        "Notes on post-training budgets",
      ]);
    });

    it("GIVEN a post carried by two feeds with different text THEN only the feed that stored it first updates it", async () => {
      const rss = fixtureFeed("lab-notes.rss.xml");
      rig.server.serve("/lab-notes.xml", { body: rss });
      rig.server.serve("/summaries.xml", {
        body: rss
          .replaceAll("lab-notes-2026", "summaries-2026")
          .replace(/<content:encoded>[\s\S]*?<\/content:encoded>/, ""),
      });
      const feeds = [
        rig.feed("/lab-notes.xml", "Lab Notes"),
        rig.feed("/summaries.xml", "Lab Notes summaries"),
      ];
      const { poller } = await rig.poller(feeds);

      const full = await poller.pollFeed(feeds[0]!);
      const summaries = await poller.pollFeed(feeds[1]!);
      rig.now += HOUR;
      const again = await poller.pollAll();

      expect(full.added).toHaveLength(3);
      expect(summaries).toMatchObject({ outcome: "fetched", added: [], changed: [] });
      expect(again.flatMap((r) => [...r.added, ...r.changed])).toEqual([]);
      const { corpus, gathered } = await rig.documents();
      const kimi = gathered.find((d) => d.title.startsWith("Kimi"))!;
      expect(kimi.source).toBe("Lab Notes");
      expect(await readDocumentText(corpus, kimi)).toContain("What the report says");
    });

    it("GIVEN items claimed at the same moment by many ingesters THEN exactly one of them writes each", async () => {
      const read = readFeed(fixtureFeed("lab-notes.rss.xml"));
      if (read.kind !== "feed") throw new Error("fixture must be a feed");
      const feed = rig.feed("/lab-notes.xml", "Lab Notes");
      const ingesters = await Promise.all(Array.from({ length: 4 }, () => rig.poller([feed])));

      const results = await Promise.all(
        ingesters.map(({ repository }, i) =>
          ingestFeedItems(feed, read.items, {
            repository,
            documentsDir: rig.documentsDir,
            owner: `ingester-${i}`,
            now: new Date(rig.now),
          }),
        ),
      );

      expect(results.flatMap((r) => r.added).sort()).toEqual(
        (await rig.documents()).gathered.map((d) => d.id).sort(),
      );
      expect(results.flatMap((r) => r.added)).toHaveLength(3);
      expect(results.reduce((n, r) => n + r.unchanged, 0)).toBe(9);
    });
  });

  describe("redirects", () => {
    it("GIVEN a chain of redirects THEN five are followed and a sixth is refused", async () => {
      for (let i = 0; i < 6; i++)
        rig.server.route(`/hop-${i}`, (_req, res) =>
          res.writeHead(i % 2 ? 301 : 307, { location: `/hop-${i + 1}` }).end(),
        );
      rig.server.serve("/hop-6", { body: fixtureFeed("briefing.atom.xml") });
      const reachable = rig.feed("/hop-1", "Five hops");
      const tooFar = rig.feed("/hop-0", "Six hops");
      const reports = await (await rig.poller([reachable, tooFar])).poller.pollAll();

      expect(byUrl(reports, reachable.url)).toMatchObject({ outcome: "fetched" });
      expect(byUrl(reports, reachable.url).added).toHaveLength(2);
      expect(byUrl(reports, tooFar.url)).toMatchObject({
        outcome: "failed",
        reason: "more than 5 redirects",
      });
    });
  });

  describe("gathered documents in the corpus", () => {
    it("GIVEN an invalid gathered document THEN it is skipped and reported, and the shipped corpus still loads", async () => {
      await fs.mkdir(rig.documentsDir, { recursive: true });
      await fs.writeFile(path.join(rig.documentsDir, "broken.json"), "{ not json");
      await fs.writeFile(
        path.join(rig.documentsDir, "exact-phrase.json"),
        await fs.readFile(path.join(FIXTURE_DATA, "corpus", "exact-phrase.json")),
      );
      await fs.writeFile(
        path.join(rig.documentsDir, "exact-phrase.txt"),
        "A twin of a shipped id.",
      );

      const { corpus, gathered, skipped } = await rig.documents();

      expect(gathered).toEqual([]);
      expect(corpus.documents).toHaveLength(8);
      expect(skipped.map((p) => [path.basename(p.file), p.message])).toEqual([
        ["broken.json", expect.stringMatching(/^is not valid JSON/)],
        ["exact-phrase.json", 'field `id` "exact-phrase" is used twice'],
      ]);
    });
  });
});

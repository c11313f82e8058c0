import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { broadAliases, unresolvedNames } from "../catalog/gaps.js";
import { CatalogError, loadCatalog, sourcesOf } from "../catalog/load.js";
import { indexMentions } from "../catalog/mentions.js";
import { ConfigError, loadConfig } from "../config.js";
import { CorpusError, loadCorpus, readDocumentText } from "../corpus/load.js";
import { compactKey } from "../text/tokens.js";

/** Names the corpus uses that are deliberately not entries, each with the reason. */
const Unlisted = z.record(z.string().min(1), z.string().min(3));

/**
 * `npm run validate-data`: checks the shipped data more strictly than start-up does (every
 * catalogue quote must be found verbatim in its document) and reports every problem at once.
 * Then it reports, without failing, what a curator should look at: names the corpus uses that
 * match no entry, entries the corpus never names, and aliases broader than their entry.
 */
try {
  // The same configuration as the bot and the CLI: the environment, then .env.
  const { dataDir } = loadConfig();
  const corpus = await loadCorpus(path.join(dataDir, "corpus"));
  const documents = new Map<string, string>();
  for (const doc of corpus.documents) documents.set(doc.id, await readDocumentText(corpus, doc));
  console.log(`corpus: ${corpus.documents.length} documents valid`);

  const catalogDir = path.join(dataDir, "catalog");
  const hasCatalog = await fs.access(catalogDir).then(
    () => true,
    () => false,
  );
  if (hasCatalog) {
    const catalog = await loadCatalog(catalogDir, {
      documents,
      documentIds: new Set(documents.keys()),
    });
    const entries = [...catalog.models, ...catalog.labs, ...catalog.families, ...catalog.products];
    const facts: Array<{ confidence: string }> = entries.flatMap((e) => [
      ...Object.values(e as Record<string, unknown>).filter(
        (v): v is { confidence: string } => !!v && typeof v === "object" && "confidence" in v,
      ),
      ...e.highlights,
    ]);
    const cited = facts.filter((f) => f.confidence !== "external").length;
    const quotes = entries.reduce((n, e) => n + sourcesOf(e).length, 0);
    console.log(
      `catalogue: ${catalog.models.length} models, ${catalog.labs.length} labs, ` +
        `${catalog.families.length} families, ${catalog.products.length} products valid; ` +
        `${cited} of ${facts.length} facts (${((100 * cited) / Math.max(1, facts.length)).toFixed(0)}%) cite a verbatim quote (${quotes} quotes checked)`,
    );

    const texts = [...documents].map(([id, text]) => ({ id, text }));
    const unlistedFile = path.join(catalogDir, "unlisted.json");
    const unlisted = Unlisted.parse(
      JSON.parse(await fs.readFile(unlistedFile, "utf8").catch(() => "{}")),
    );
    const skipped = new Set(Object.keys(unlisted).map(compactKey));
    const gaps = unresolvedNames(texts, catalog).filter((g) => !skipped.has(compactKey(g.name)));
    console.log(
      `\nnames the corpus uses at least twice that match no entry (${gaps.length}; list deliberate ones in catalog/unlisted.json):`,
    );
    for (const gap of gaps)
      console.log(`  ${gap.name} — ${gap.count}× in ${gap.documents.slice(0, 3).join(", ")}`);

    const mentions = indexMentions(
      catalog,
      corpus.documents.map((d) => ({
        docId: d.id,
        ordinal: 0,
        date: d.date,
        text: documents.get(d.id)!,
      })),
    );
    const unmentioned = [...mentions].filter(([, stats]) => stats.documents === 0);
    console.log(`\nentries the corpus never names (${unmentioned.length}):`);
    for (const [id] of unmentioned) {
      const found = catalog.byId.get(id)!;
      console.log(`  ${found.kind} ${id} (${found.entry.name})`);
    }

    const broad = broadAliases(catalog);
    console.log(`\naliases broader than their entry's name (${broad.length}):`);
    for (const b of broad) console.log(`  ${b.id}: "${b.alias}" leaves out ${b.drops.join(", ")}`);
  }
} catch (error) {
  const known =
    error instanceof ConfigError || error instanceof CorpusError || error instanceof CatalogError;
  if (!known) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

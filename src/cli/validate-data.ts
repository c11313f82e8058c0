import fs from "node:fs/promises";
import path from "node:path";
import { CatalogError, loadCatalog } from "../catalog/load.js";
import { sourcesOf } from "../catalog/load.js";
import { ConfigError, loadConfig } from "../config.js";
import { CorpusError, loadCorpus, readDocumentText } from "../corpus/load.js";

/**
 * `npm run validate-data`: checks the shipped data more strictly than start-up does (every
 * catalogue quote must be found verbatim in its document) and reports every problem at once.
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
    const entries = [...catalog.models, ...catalog.labs];
    const facts: Array<{ confidence: string }> = entries.flatMap((e) => [
      ...Object.values(e as Record<string, unknown>).filter(
        (v): v is { confidence: string } => !!v && typeof v === "object" && "confidence" in v,
      ),
      ...e.highlights,
    ]);
    const cited = facts.filter((f) => f.confidence !== "external").length;
    const quotes = entries.reduce((n, e) => n + sourcesOf(e).length, 0);
    console.log(
      `catalogue: ${catalog.models.length} models, ${catalog.labs.length} labs valid; ` +
        `${cited} of ${facts.length} facts (${((100 * cited) / Math.max(1, facts.length)).toFixed(0)}%) cite a verbatim quote (${quotes} quotes checked)`,
    );
  }
} catch (error) {
  const known =
    error instanceof ConfigError || error instanceof CorpusError || error instanceof CatalogError;
  if (!known) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

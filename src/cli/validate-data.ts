import path from "node:path";
import { CorpusError, loadCorpus } from "../corpus/load.js";

/** `npm run validate-data`: checks the shipped data the way start-up does, and reports every problem. */
const dataDir = path.resolve(process.env.DATA_DIR ?? "data");
try {
  const corpus = await loadCorpus(path.join(dataDir, "corpus"));
  console.log(`corpus: ${corpus.documents.length} documents valid`);
} catch (error) {
  if (!(error instanceof CorpusError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

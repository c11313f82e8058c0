import type { Logger } from "pino";
import type { CatalogKnowledge } from "../catalog/knowledge.js";
import type { Corpus } from "../corpus/load.js";
import type { SearchIndex } from "../search/index.js";
import type { KeyValueStore } from "../store/keyv.js";

/** Everything a command handler may use, passed in: no handler reaches for a global. */
export interface AppContext {
  readonly corpus: Corpus;
  readonly searchIndex: SearchIndex;
  readonly catalog: CatalogKnowledge;
  readonly store: KeyValueStore;
  readonly now: () => Date;
  readonly logger: Logger;
}

import type { Logger } from "pino";
import type { CatalogKnowledge } from "../catalog/knowledge.js";
import type { BookmarkStoreDeps } from "../bookmarks/repository.js";
import type { GuildCatalogs } from "../entries/catalogs.js";
import type { Corpus } from "../corpus/load.js";
import type { SearchIndex } from "../search/index.js";
import type { KeyValueStore } from "../store/keyv.js";
import type { ProblemReporter } from "../store/records.js";

/** Everything a command handler may use, passed in: no handler reaches for a global. */
export interface AppContext {
  readonly corpus: Corpus;
  readonly searchIndex: SearchIndex;
  /** The shipped catalogue. */
  readonly catalog: CatalogKnowledge;
  /** Each server's view of it, with its moderators' entries. */
  readonly catalogs: GuildCatalogs;
  readonly store: KeyValueStore;
  /** Where unreadable stored values are reported (logged, left in place). */
  readonly reportProblem: ProblemReporter;
  /** Members' bookmarks, and how many each may keep per server. */
  readonly bookmarks: BookmarkStoreDeps;
  readonly bookmarkLimit: number;
  readonly now: () => Date;
  readonly logger: Logger;
}

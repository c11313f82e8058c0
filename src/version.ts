import fs from "node:fs";
import path from "node:path";

/**
 * The version in package.json, found by walking up from this file: the same answer from the
 * sources (src/) and from the build (dist/src/).
 */
function readVersion(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "modeldex" && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}

export const VERSION = readVersion();

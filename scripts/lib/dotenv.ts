import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./migrations";

/** Loads `.env` from the project folder when there is one; variables already set win. */
export function loadDotEnv(): void {
  const file = path.join(ROOT, ".env");
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

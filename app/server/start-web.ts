/**
 * The web role (`npm run start:web`): the Remix app, its page cache and the request-body gate,
 * and nothing else: no background work, no local stand-ins. Needs `npm run build` and a database
 * migrated by `npm run db:deploy`. Several may run at once, on one machine or many.
 */
import "./runtime";
import { runRole } from "./role.server";
import { appBuild, startWebServer } from "./web.server";

void runRole(
  "web",
  async (env) => {
    const web = await startWebServer({ host: env.host, port: env.port });
    return { ready: `serving ${web.url}`, stop: web.stop };
  },
  { db: () => appBuild().entry.module.getDb() },
);

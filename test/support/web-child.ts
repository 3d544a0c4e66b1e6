/**
 * Serves the production build in a process of its own, with the settings of its environment, and
 * says `listening <url>` once it does: for tests of settings a process reads only once.
 */
import { getEnv } from "~/env.server";
import { startWebServer } from "../../app/server/web.server";

void startWebServer({ host: "127.0.0.1", port: getEnv().port }).then(({ url }) => console.log(`listening ${url}`));

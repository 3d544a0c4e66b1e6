import { writerFeedLoader } from "~/modules/reading/distribution.server";

export const loader = writerFeedLoader("json");

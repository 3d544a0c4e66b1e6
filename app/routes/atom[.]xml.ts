import { siteFeedLoader } from "~/modules/reading/distribution.server";

export const loader = siteFeedLoader("atom");

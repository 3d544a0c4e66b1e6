import { cardPngLoader } from "~/modules/reading/card-route.server";

/** For Farcaster's mini-app embed (fc:miniapp imageUrl), which clients show at 3:2: 1200 by 800. */
export const loader = cardPngLoader("3x2");

import { cardPngLoader } from "~/modules/reading/card-route.server";

/** For og:image and twitter:image: the same drawing as card.svg, 1200 by 630. */
export const loader = cardPngLoader("wide");

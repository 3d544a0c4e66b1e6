/** Made once: building a formatter is far slower than using one, and pages show many dates. */
const LONG_DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** `26 November 2026`, in UTC so the server and every reader agree. */
export const longDate = (iso: string) => LONG_DATE.format(new Date(iso));

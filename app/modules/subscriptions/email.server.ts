import { domainToASCII } from "node:url";
import { UserError } from "~/modules/errors.server";

// The local part as RFC 5322 dot-atoms, which is what people type; quoted local parts ("a b"@x)
// are legal but are how header tricks travel, and nobody subscribes with one.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * An email address as stored: trimmed, the domain lower-cased (and IDNs in their ASCII form). The
 * local part keeps its case: RFC 5321 leaves it to the receiving server. Anything else, including
 * any control character, is refused with a message for the reader; what passes can never carry a
 * line break into a mail header.
 */
export function normalizeEmail(input: string): string {
  const value = input.trim();
  if (value === "") throw new UserError("Enter your email address.", 422);
  if (value.length > 254) throw new UserError("That email address is too long.", 422);
  const at = value.lastIndexOf("@");
  const local = value.slice(0, at);
  const domain = at > 0 ? domainToASCII(value.slice(at + 1).toLowerCase()) : "";
  const labels = domain.split(".");
  const valid =
    at > 0 &&
    local.length <= 64 &&
    LOCAL_PART.test(local) &&
    domain.length > 0 &&
    domain.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    /[a-z]/.test(labels[labels.length - 1]!);
  if (!valid) throw new UserError(`“${value.slice(0, 80).replace(/[\u0000-\u001f\u007f]/g, " ")}” is not an email address.`, 422);
  return `${local}@${domain}`;
}

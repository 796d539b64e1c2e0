// Links for a lead's phone and email. Lead data is hostile: nothing here may become anything
// but a tel: or mailto: link.

/**
 * A click-to-call link: a 10-digit US number gets +1 ("tel:+15552102030"), as does an 11-digit
 * one starting with the country code 1; anything else keeps its digits (and a leading +).
 * null when there are no digits.
 */
export function telHref(phone: string | null | undefined): string | null {
  if (phone === null || phone === undefined) return null;
  const digits = phone.replace(/\D/g, '');
  if (digits === '') return null;
  if (digits.length === 10) return `tel:+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `tel:+${digits}`;
  return phone.trim().startsWith('+') ? `tel:+${digits}` : `tel:${digits}`;
}

// One address: no spaces, no second @, nothing that would add mailto: headers (?, &, #).
const EMAIL = /^[^\s@?&#/:]+@[^\s@?&#/:]+$/;

/** A mailto: link for a plain address; null for anything else. */
export function mailtoHref(email: string | null | undefined): string | null {
  const address = email?.trim() ?? '';
  return EMAIL.test(address) ? `mailto:${address}` : null;
}

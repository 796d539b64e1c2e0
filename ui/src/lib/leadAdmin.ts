// A lead typed in by hand (admins), and deleting a lead (admins, and on our server its owner).
import { isEmail } from './admin';
import type { AppError, ClaimInfo, ErrorCode, NewLeadInput, UserInfo } from './bindings';
import { withHint } from './errors';
import { normalizeInput } from './fieldEdits';
import { orDash } from './format';

/** The form, empty. */
export function emptyNewLead(): NewLeadInput {
  return { firstName: '', lastName: '', phone: '', email: '', state: '', zipcode: '', notes: '' };
}

const given = (text: string | null | undefined): boolean => (text ?? '').trim() !== '';

/** The lead can be made: it has a name (first or last), a phone or an email, as the server needs. */
export function newLeadReady(lead: NewLeadInput): boolean {
  return given(lead.firstName) || given(lead.lastName) || given(lead.phone) || given(lead.email);
}

export const NEW_LEAD_NEEDS = 'Enter a name, a phone or an email.';

/** Why the lead cannot be sent yet; null when it can (the server reads the phone, state and ZIP). */
export function newLeadProblem(lead: NewLeadInput): string | null {
  if (!newLeadReady(lead)) return NEW_LEAD_NEEDS;
  const email = lead.email.trim();
  if (email !== '' && !isEmail(email)) return `“${email}” is not an email address.`;
  return null;
}

/** The lead as sent: each field trimmed, the state in capitals. */
export function newLeadInput(lead: NewLeadInput): NewLeadInput {
  return {
    firstName: lead.firstName.trim(),
    lastName: lead.lastName.trim(),
    phone: lead.phone.trim(),
    email: lead.email.trim(),
    state: normalizeInput('state', lead.state.trim()),
    zipcode: lead.zipcode.trim(),
    notes: lead.notes.trim(),
  };
}

/**
 * Whether `user` may delete the lead: an admin any lead; a rep a lead its row says is theirs (they
 * claimed it, which makes them its owner on our server). A rep's own lead that was never claimed
 * cannot be told from the row, so the button is not offered for it.
 */
export function mayDeleteLead(user: Pick<UserInfo, 'id' | 'role'>, claim: ClaimInfo | null | undefined): boolean {
  if (user.role === 'admin') return true;
  return claim !== null && claim !== undefined && claim.by === user.id;
}

/** The question before a lead is deleted, naming it. */
export function deleteQuestion(name: string | null | undefined): string {
  return `Delete “${orDash(name?.trim())}”? It is removed for everyone, and cannot be undone.`;
}

const ERROR_HINTS: Partial<Record<ErrorCode, string>> = {
  forbidden: "Only an admin or the lead's owner may do this.",
};

export function leadAdminErrorText(err: AppError): string {
  return withHint(err, ERROR_HINTS);
}

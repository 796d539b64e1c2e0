// The admin page's logic: the webhook's credentials (masked until revealed), the last lead, and
// the team. Nothing here keeps a credential: the page holds them only while they are shown.
import type { AppError, ErrorCode, LastLead, Role, TeamMember } from './bindings';
import { withHint } from './errors';
import { formatReceived, orDash } from './format';

/** What a hidden credential shows. */
export const MASK = '••••••';

/** A credential as shown: the mask until it was revealed. */
export function secretText(value: string | null | undefined): string {
  return value === null || value === undefined ? MASK : value;
}

/** The roles, in the order offered. */
export const ROLES: readonly Role[] = ['user', 'admin'];

const ROLE_LABELS: Record<Role, string> = { user: 'Rep', admin: 'Admin' };

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? String(role);
}

/** "Active", "Invited" (not yet signed in with the code) or "Deactivated". */
export function memberStatus(member: Pick<TeamMember, 'active' | 'invited'>): string {
  if (!member.active) return 'Deactivated';
  return member.invited ? 'Invited' : 'Active';
}

/** Deactivating takes a second click on the same button. */
export function activeButtonText(member: Pick<TeamMember, 'active'>, confirming: boolean): string {
  if (!member.active) return 'Reactivate';
  return confirming ? 'Confirm deactivate' : 'Deactivate';
}

export function memberTextdripText(member: Pick<TeamMember, 'textdripConnected'>): string {
  return member.textdripConnected ? 'Connected' : 'Not connected';
}

/** Why the signed-in admin may not change this member here (themselves); null when they may. */
export function memberLock(member: Pick<TeamMember, 'id'>, selfId: string): string | null {
  return member.id === selfId ? 'You cannot change your own role or deactivate yourself.' : null;
}

/** The list with `member` in place of the one with its id, or added at the end. */
export function upsertMember(team: readonly TeamMember[], member: TeamMember): TeamMember[] {
  const index = team.findIndex((m) => m.id === member.id);
  if (index < 0) return [...team, member];
  const next = [...team];
  next[index] = member;
  return next;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Looks like an email address (`name@host.tld`, no spaces); `text` is trimmed first. */
export function isEmail(text: string): boolean {
  return EMAIL.test(text.trim());
}

/** Why the invite cannot be sent yet; null when it can. */
export function inviteProblem(email: string, name: string): string | null {
  const address = email.trim();
  if (address === '') return 'Enter the email address to invite.';
  if (!isEmail(address)) return `“${address}” is not an email address.`;
  if (name.trim() === '') return "Enter the new member's name.";
  return null;
}

/** "Rosa Diaz, received 3 min ago", or that none came yet. */
export function lastLeadText(lastLead: LastLead | null, now: number): string {
  if (lastLead === null) return 'No lead received yet';
  return `${orDash(lastLead.name)}, received ${formatReceived(lastLead.receivedAt, now)}`;
}

export const TEAM_UNSUPPORTED = 'This server does not manage the team here.';

const ERROR_HINTS: Partial<Record<ErrorCode, string>> = {
  forbidden: 'Only an admin can do this.',
  unsupported: TEAM_UNSUPPORTED,
};

export function adminErrorText(err: AppError): string {
  return withHint(err, ERROR_HINTS);
}

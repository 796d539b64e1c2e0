// The user's own profile: their name, email and (where the server can do it safely) password.
// Only what changed is sent; a password never goes to a server that cannot change it.
import { isEmail } from './admin';
import type { updateProfile } from './api';
import type { AppError, ErrorCode, SessionInfo, UserInfo } from './bindings';
import { withHint } from './errors';
import { passwordProblem } from './invite';

export type ProfileChange = Parameters<typeof updateProfile>[0];

/** Said instead of the password fields where the server cannot change a password safely. */
export const PASSWORD_NOTE =
  'This server cannot change your password without locking you out; change it where your agency manages accounts.';

/** The profile form as typed. */
export interface ProfileDraft {
  name: string;
  email: string;
  /** The new password, twice; both empty keep the password. */
  password: string;
  passwordAgain: string;
  currentPassword: string;
}

/** The form as it starts: the user as they are, no password. */
export function profileDraft(user: Pick<UserInfo, 'name' | 'email'>): ProfileDraft {
  return { name: user.name ?? '', email: user.email ?? '', password: '', passwordAgain: '', currentPassword: '' };
}

/** Something was typed into the new password fields. */
export function wantsNewPassword(draft: Pick<ProfileDraft, 'password' | 'passwordAgain'>): boolean {
  return draft.password !== '' || draft.passwordAgain !== '';
}

/**
 * What to send for `draft`: only the fields that differ from `user` (the email compared without
 * regard to case, as servers keep it). The password, checked and with the current one, only
 * when `canChangePassword`; otherwise it is never sent, whatever the draft holds. A problem
 * instead when something cannot be sent, or nothing changed.
 */
export function profileChange(
  user: Pick<UserInfo, 'name' | 'email'>,
  draft: ProfileDraft,
  canChangePassword: boolean,
): { change: ProfileChange } | { problem: string } {
  const change: ProfileChange = {};
  const name = draft.name.trim();
  if (name === '') return { problem: 'Enter your name.' };
  if (name !== (user.name ?? '').trim()) change.name = name;

  const email = draft.email.trim();
  if (email === '') return { problem: 'Enter your email address.' };
  if (!isEmail(email)) return { problem: `“${email}” is not an email address.` };
  if (email.toLowerCase() !== (user.email ?? '').trim().toLowerCase()) change.email = email;

  if (canChangePassword && wantsNewPassword(draft)) {
    const problem = passwordProblem(draft.password, draft.passwordAgain);
    if (problem !== null) return { problem };
    if (draft.currentPassword === '') return { problem: 'Enter your current password to change it.' };
    change.password = draft.password;
    change.currentPassword = draft.currentPassword;
  }

  if (Object.keys(change).length === 0) return { problem: 'Nothing to save: your name, email and password are as they were.' };
  return { change };
}

/** The session with the user as saved (the top bar and settings show it). */
export function withUser(session: SessionInfo, user: UserInfo): SessionInfo {
  return { ...session, user: { ...session.user, ...user } };
}

const ERROR_HINTS: Partial<Record<ErrorCode, string>> = {
  invalid_credentials: 'Check your current password.',
};

export function profileErrorText(err: AppError): string {
  return withHint(err, ERROR_HINTS);
}

// Signing in with an invite code: the checks made before the code is sent.

export const MIN_PASSWORD_LENGTH = 8;

/** Why the new password cannot be set; null when it can. Characters, not bytes, are counted. */
export function passwordProblem(password: string, confirm: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (password !== confirm) return 'The two passwords do not match.';
  return null;
}

export interface InviteForm {
  serverUrl: string;
  email: string;
  code: string;
  password: string;
  confirm: string;
}

/** Why the invite form cannot be sent; null when it can. */
export function acceptInviteProblem(form: InviteForm): string | null {
  if (form.serverUrl.trim() === '') return 'Enter the server address.';
  if (form.email.trim() === '') return 'Enter your email address.';
  if (form.code.trim() === '') return 'Enter the invite code your admin gave you.';
  return passwordProblem(form.password, form.confirm);
}

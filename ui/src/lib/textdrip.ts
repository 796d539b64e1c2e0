// The rep's Textdrip connection, as text: its state, what to do next, and the errors of the
// Textdrip commands. The token itself never reaches here.
import type { AppError, ErrorCode, TextdripState, TextdripStatus } from './bindings';
import { withHint } from './errors';

const STATE_LABELS: Record<TextdripState, string> = {
  connected: 'Connected',
  not_connected: 'Not connected',
  invalid: 'Token refused',
  keychain_unavailable: 'Keychain unavailable',
};

export function textdripStateLabel(state: TextdripState): string {
  return STATE_LABELS[state] ?? String(state);
}

/** "Connected — Ann's account", "Not connected". */
export function textdripStateText(status: TextdripStatus): string {
  const label = textdripStateLabel(status.state);
  const detail = status.detail?.trim();
  return detail ? `${label} — ${detail}` : label;
}

export const TOKEN_KEYCHAIN_HINT =
  'Crokodial keeps your Textdrip token in the operating system keychain. Make sure the keychain is unlocked, then try again.';

const STATE_HINTS: Record<TextdripState, string> = {
  connected: "Your token is kept in this computer's keychain. Disconnect removes it.",
  not_connected:
    "Paste the API token from your Textdrip account to text leads from Crokodial. It is kept in this computer's keychain and never shown again.",
  invalid: 'Textdrip no longer accepts the saved token. Paste a new one to reconnect.',
  keychain_unavailable: TOKEN_KEYCHAIN_HINT,
};

/** What the rep can do in this state. */
export function textdripHint(state: TextdripState): string {
  return STATE_HINTS[state] ?? '';
}

/** A token is kept (valid or not): it can be removed. */
export function canDisconnect(state: TextdripState | null | undefined): boolean {
  return state === 'connected' || state === 'invalid';
}

export function connectLabel(state: TextdripState | null | undefined): string {
  if (state === 'connected') return 'Replace token';
  if (state === 'invalid') return 'Reconnect';
  return 'Connect';
}

/** Why the pasted token cannot be sent to Textdrip yet; null when it can. */
export function tokenProblem(token: string): string | null {
  return token.trim() === '' ? 'Paste your Textdrip API token first.' : null;
}

export const CONNECT_HINT = 'Connect your Textdrip account first (Textdrip, at the top).';

const ERROR_HINTS: Partial<Record<ErrorCode, string>> = {
  textdrip_not_connected: CONNECT_HINT,
  textdrip_invalid: 'Paste a new token to reconnect (Textdrip, at the top).',
  rate_limited: 'Textdrip is busy: try again in a minute.',
  keychain_unavailable: TOKEN_KEYCHAIN_HINT,
  outside_hours: "Tick “Send anyway” to text outside the lead's 8 am–9 pm.",
  opted_out: 'This lead opted out of texts.',
};

/** A Textdrip command's error with what to do about it. */
export function textdripErrorText(err: AppError): string {
  return withHint(err, ERROR_HINTS);
}

/** The error means the rep has to (re)connect Textdrip: offer the connection dialog. */
export function needsConnect(err: AppError | null): boolean {
  return err?.code === 'textdrip_not_connected' || err?.code === 'textdrip_invalid';
}

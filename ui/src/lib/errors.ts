import type { AppError, ErrorCode } from './bindings';

// Every code the Rust side can send, as the type checker sees it: a code added to (or removed
// from) `ErrorCode` in bindings.ts fails the type check until it is listed here.
const KNOWN_CODES: Record<ErrorCode, true> = {
  invalid_credentials: true,
  invalid_input: true,
  network: true,
  server: true,
  keychain_unavailable: true,
  not_logged_in: true,
  no_sound: true,
  cancelled: true,
  textdrip_not_connected: true,
  textdrip_invalid: true,
  rate_limited: true,
  outside_hours: true,
  opted_out: true,
  forbidden: true,
  unsupported: true,
  internal: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KNOWN_CODES, value);
}

/**
 * Normalise anything a Tauri command (or the IPC layer itself) rejects with into an AppError.
 * Commands reject with `{ code, message }`; anything else becomes `internal`.
 */
export function toAppError(e: unknown): AppError {
  if (typeof e === 'object' && e !== null) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof message === 'string') {
      return { code: isErrorCode(code) ? code : 'internal', message };
    }
  }
  return { code: 'internal', message: String(e) };
}

export const KEYCHAIN_HINT =
  'Crokodial keeps your session in the operating system keychain. Make sure the keychain is unlocked, then try again.';

/** Text shown under the login form for a failed login. */
export function loginErrorText(err: AppError): string {
  const message = err.message.trim() || 'Sign-in failed.';
  if (err.code === 'keychain_unavailable') return `${message} ${KEYCHAIN_HINT}`;
  return message;
}

/**
 * An error's message followed by what to do about it, when `hints` has a hint for its code
 * (left out when the message already says it). A blank message falls back to the hint.
 */
export function withHint(err: AppError, hints: Partial<Record<ErrorCode, string>>, fallback = 'Something went wrong.'): string {
  const message = err.message.trim();
  const hint = hints[err.code]?.trim() ?? '';
  if (message === '') return hint || fallback;
  if (hint === '' || message.toLowerCase().includes(hint.toLowerCase())) return message;
  return `${message} ${hint}`;
}

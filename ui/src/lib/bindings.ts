// Generated from Rust by the `bindings_are_fresh` test in src-tauri; do not edit by hand.

export type AppError = { code: ErrorCode, message: string, };

export type AppInfo = { version: string, defaultServerUrl: string | null, };

export type ConnectionState = { status: ConnectionStatus, detail: string | null, };

export type ConnectionStatus = "idle" | "connecting" | "live" | "offline" | "authFailed";

export type DemoAccount = { email: string, password: string, role: Role, };

export type ErrorCode = "invalid_credentials" | "invalid_input" | "network" | "server" | "keychain_unavailable" | "not_logged_in" | "internal";

export type LeadEvent = { lead: LeadRow, 
/**
 * A new, fresh vendor lead seen for the first time (an update or a replay is not).
 */
announced: boolean, };

export type LeadRow = { id: string, name: string, phone: string | null, state: string | null, source: string | null, disposition: string | null, 
/**
 * RFC 3339.
 */
receivedAt: string | null, };

export type Role = "admin" | "user";

export type SessionInfo = { serverUrl: string, user: UserInfo, };

export type UserInfo = { id: string, name: string, email: string, role: Role, };

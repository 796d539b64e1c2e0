// The only module that talks to the Rust side. Every command rejects with an AppError.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AppInfo, ConnectionState, DemoAccount, LeadEvent, LeadRow, SessionInfo } from './bindings';
import { toAppError } from './errors';

export type { UnlistenFn };

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function demoAccounts(serverUrl: string): Promise<DemoAccount[]> {
  return call<DemoAccount[]>('demo_accounts', { serverUrl });
}

export function restoreSession(): Promise<SessionInfo | null> {
  return call<SessionInfo | null>('restore_session');
}

export function login(serverUrl: string, email: string, password: string): Promise<SessionInfo> {
  return call<SessionInfo>('login', { serverUrl, email, password });
}

export function logout(): Promise<null> {
  return call<null>('logout');
}

export function listLeads(search: string | null): Promise<LeadRow[]> {
  return call<LeadRow[]>('list_leads', { search });
}

export function connectionState(): Promise<ConnectionState> {
  return call<ConnectionState>('connection_state');
}

async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  try {
    return await listen<T>(event, (e) => handler(e.payload));
  } catch (e) {
    throw toAppError(e);
  }
}

export function onLeadReceived(handler: (event: LeadEvent) => void): Promise<UnlistenFn> {
  return subscribe<LeadEvent>('lead-received', handler);
}

export function onConnectionChanged(handler: (state: ConnectionState) => void): Promise<UnlistenFn> {
  return subscribe<ConnectionState>('connection-changed', handler);
}

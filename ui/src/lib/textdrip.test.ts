import { describe, expect, it } from 'vitest';
import type { TextdripState } from './bindings';
import {
  CONNECT_HINT,
  TOKEN_KEYCHAIN_HINT,
  canDisconnect,
  connectLabel,
  needsConnect,
  textdripErrorText,
  textdripHint,
  textdripStateLabel,
  textdripStateText,
  tokenProblem,
} from './textdrip';

describe('textdripStateText', () => {
  it.each([
    ['connected', 'Connected'],
    ['not_connected', 'Not connected'],
    ['invalid', 'Token refused'],
    ['keychain_unavailable', 'Keychain unavailable'],
  ] as [TextdripState, string][])('%s → %s', (state, label) => {
    expect(textdripStateLabel(state)).toBe(label);
    expect(textdripStateText({ state, detail: null })).toBe(label);
  });
  it('adds the detail', () => {
    expect(textdripStateText({ state: 'connected', detail: 'Ann Rep (+13125550100)' })).toBe(
      'Connected — Ann Rep (+13125550100)',
    );
    expect(textdripStateText({ state: 'keychain_unavailable', detail: '  locked ' })).toBe('Keychain unavailable — locked');
  });
  it('ignores a blank detail', () => {
    expect(textdripStateText({ state: 'invalid', detail: '   ' })).toBe('Token refused');
  });
  it('"Not connected" never reads as connected', () => {
    expect(textdripStateText({ state: 'not_connected', detail: null })).not.toContain('Connected');
  });
});

describe('textdripHint', () => {
  it('asks for a token when none is kept, a new one when refused', () => {
    expect(textdripHint('not_connected')).toMatch(/Paste the API token/);
    expect(textdripHint('invalid')).toMatch(/Paste a new one/);
    expect(textdripHint('keychain_unavailable')).toBe(TOKEN_KEYCHAIN_HINT);
  });
});

describe('canDisconnect and connectLabel', () => {
  it('disconnects only a kept token', () => {
    expect(canDisconnect('connected')).toBe(true);
    expect(canDisconnect('invalid')).toBe(true);
    expect(canDisconnect('not_connected')).toBe(false);
    expect(canDisconnect('keychain_unavailable')).toBe(false);
    expect(canDisconnect(null)).toBe(false);
  });
  it('labels the connect button for the state', () => {
    expect(connectLabel('not_connected')).toBe('Connect');
    expect(connectLabel(null)).toBe('Connect');
    expect(connectLabel('invalid')).toBe('Reconnect');
    expect(connectLabel('connected')).toBe('Replace token');
  });
});

describe('tokenProblem', () => {
  it('refuses a blank token only', () => {
    expect(tokenProblem('')).not.toBeNull();
    expect(tokenProblem('  \n')).not.toBeNull();
    expect(tokenProblem('td_abc123')).toBeNull();
  });
});

describe('textdripErrorText', () => {
  it('tells how to fix each Textdrip error', () => {
    expect(textdripErrorText({ code: 'textdrip_not_connected', message: 'No Textdrip token.' })).toBe(
      `No Textdrip token. ${CONNECT_HINT}`,
    );
    expect(textdripErrorText({ code: 'textdrip_invalid', message: 'Textdrip said 401.' })).toBe(
      'Textdrip said 401. Paste a new token to reconnect (Textdrip, at the top).',
    );
    expect(textdripErrorText({ code: 'rate_limited', message: 'Too many requests.' })).toMatch(/try again/);
    expect(textdripErrorText({ code: 'keychain_unavailable', message: 'Locked.' })).toBe(`Locked. ${TOKEN_KEYCHAIN_HINT}`);
  });
  it('keeps other errors as they are', () => {
    expect(textdripErrorText({ code: 'network', message: 'Cannot reach Textdrip.' })).toBe('Cannot reach Textdrip.');
  });
});

describe('needsConnect', () => {
  it('is true for a missing or refused token', () => {
    expect(needsConnect({ code: 'textdrip_not_connected', message: '' })).toBe(true);
    expect(needsConnect({ code: 'textdrip_invalid', message: '' })).toBe(true);
    expect(needsConnect({ code: 'rate_limited', message: '' })).toBe(false);
    expect(needsConnect(null)).toBe(false);
  });
});

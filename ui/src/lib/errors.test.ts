import { describe, expect, it } from 'vitest';
import { KEYCHAIN_HINT, isErrorCode, loginErrorText, toAppError, withHint } from './errors';

describe('toAppError', () => {
  it('passes through a command error', () => {
    expect(toAppError({ code: 'invalid_credentials', message: 'Wrong email or password' })).toEqual({
      code: 'invalid_credentials',
      message: 'Wrong email or password',
    });
  });
  it('keeps a known code and refuses look-alikes', () => {
    expect(toAppError({ code: 'opted_out', message: 'm' })).toEqual({ code: 'opted_out', message: 'm' });
    for (const notACode of ['toString', 'hasOwnProperty', '__proto__', 'OPTED_OUT', '']) {
      expect(isErrorCode(notACode)).toBe(false);
    }
  });
  it('turns unknown codes into internal but keeps the message', () => {
    expect(toAppError({ code: 'teapot', message: 'short and stout' })).toEqual({
      code: 'internal',
      message: 'short and stout',
    });
  });
  it('normalises strings, errors and junk', () => {
    expect(toAppError('boom')).toEqual({ code: 'internal', message: 'boom' });
    expect(toAppError(new TypeError('x is undefined'))).toEqual({ code: 'internal', message: 'x is undefined' });
    expect(toAppError(undefined)).toEqual({ code: 'internal', message: 'undefined' });
    expect(toAppError({ code: 'network' })).toEqual({ code: 'internal', message: '[object Object]' });
  });
  it('copies only code and message', () => {
    expect(Object.keys(toAppError({ code: 'server', message: 'm', token: 'secret' }))).toEqual(['code', 'message']);
  });
});

describe('loginErrorText', () => {
  it('adds a keychain hint only for keychain errors', () => {
    expect(loginErrorText({ code: 'keychain_unavailable', message: 'Keychain locked.' })).toBe(
      `Keychain locked. ${KEYCHAIN_HINT}`,
    );
    expect(loginErrorText({ code: 'network', message: 'Cannot reach server' })).toBe('Cannot reach server');
  });
  it('never shows an empty message', () => {
    expect(loginErrorText({ code: 'internal', message: '  ' })).toBe('Sign-in failed.');
  });
});

describe('withHint', () => {
  const hints = { rate_limited: 'Try again in a minute.', unsupported: 'This server does not manage the team here.' };
  it('adds the hint for the code', () => {
    expect(withHint({ code: 'rate_limited', message: 'Textdrip is busy.' }, hints)).toBe(
      'Textdrip is busy. Try again in a minute.',
    );
  });
  it('leaves other codes as they are', () => {
    expect(withHint({ code: 'network', message: 'Cannot reach Textdrip.' }, hints)).toBe('Cannot reach Textdrip.');
  });
  it('does not repeat a hint the message already says', () => {
    expect(withHint({ code: 'unsupported', message: 'This server does not manage the team here.' }, hints)).toBe(
      'This server does not manage the team here.',
    );
  });
  it('falls back to the hint, then a default, for a blank message', () => {
    expect(withHint({ code: 'rate_limited', message: ' ' }, hints)).toBe('Try again in a minute.');
    expect(withHint({ code: 'server', message: '' }, hints)).toBe('Something went wrong.');
  });
});

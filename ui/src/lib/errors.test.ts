import { describe, expect, it } from 'vitest';
import { KEYCHAIN_HINT, loginErrorText, toAppError } from './errors';

describe('toAppError', () => {
  it('passes through a command error', () => {
    expect(toAppError({ code: 'invalid_credentials', message: 'Wrong email or password' })).toEqual({
      code: 'invalid_credentials',
      message: 'Wrong email or password',
    });
  });
  it('knows every code the commands use', () => {
    expect(toAppError({ code: 'no_sound', message: 'No sound output' }).code).toBe('no_sound');
    expect(toAppError({ code: 'invalid_input', message: 'bad' }).code).toBe('invalid_input');
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

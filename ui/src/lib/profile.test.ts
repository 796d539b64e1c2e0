import { describe, expect, it } from 'vitest';
import type { SessionInfo, UserInfo } from './bindings';
import { profileChange, profileDraft, profileErrorText, wantsNewPassword, withUser } from './profile';

const user: UserInfo = { id: 'u1', name: 'Ann Rep', email: 'ann@example.com', role: 'user' };

function draft(fields: Partial<ReturnType<typeof profileDraft>> = {}) {
  return { ...profileDraft(user), ...fields };
}

describe('profileDraft', () => {
  it('starts with the user as they are and no password', () => {
    expect(profileDraft(user)).toEqual({
      name: 'Ann Rep',
      email: 'ann@example.com',
      password: '',
      passwordAgain: '',
      currentPassword: '',
    });
  });
});

describe('profileChange', () => {
  it('sends only the name when only it changed', () => {
    expect(profileChange(user, draft({ name: ' Ann Lee ' }), true)).toEqual({ change: { name: 'Ann Lee' } });
  });

  it('sends only the email when only it changed, whatever its case otherwise', () => {
    expect(profileChange(user, draft({ email: ' ann.lee@example.com' }), true)).toEqual({
      change: { email: 'ann.lee@example.com' },
    });
    expect(profileChange(user, draft({ email: 'ANN@example.com' }), true)).toEqual({
      problem: 'Nothing to save: your name, email and password are as they were.',
    });
  });

  it('says when nothing changed', () => {
    expect(profileChange(user, draft({ name: 'Ann Rep ' }), true)).toHaveProperty('problem');
  });

  it('needs a name and an email address', () => {
    expect(profileChange(user, draft({ name: ' ' }), true)).toEqual({ problem: 'Enter your name.' });
    expect(profileChange(user, draft({ email: '' }), true)).toEqual({ problem: 'Enter your email address.' });
    expect(profileChange(user, draft({ email: 'ann@example' }), true)).toEqual({
      problem: '“ann@example” is not an email address.',
    });
  });

  it('sends a new password with the current one, untrimmed', () => {
    const next = draft({ password: ' new secret ', passwordAgain: ' new secret ', currentPassword: 'old secret' });
    expect(profileChange(user, next, true)).toEqual({
      change: { password: ' new secret ', currentPassword: 'old secret' },
    });
  });

  it('checks the two new passwords match and have at least 8 characters', () => {
    expect(profileChange(user, draft({ password: 'short', passwordAgain: 'short', currentPassword: 'x' }), true)).toEqual({
      problem: 'The new password needs at least 8 characters.',
    });
    expect(
      profileChange(user, draft({ password: 'long enough', passwordAgain: 'long enougH', currentPassword: 'x' }), true),
    ).toEqual({ problem: 'The two passwords do not match.' });
    // Typed only in the confirmation: still a new password, and it does not match.
    expect(profileChange(user, draft({ passwordAgain: 'long enough' }), true)).toHaveProperty('problem');
  });

  it('needs the current password to change it', () => {
    expect(profileChange(user, draft({ password: 'long enough', passwordAgain: 'long enough' }), true)).toEqual({
      problem: 'Enter your current password to change it.',
    });
  });

  it('never sends a password to a server that cannot change it', () => {
    const next = draft({ name: 'Ann Lee', password: 'long enough', passwordAgain: 'long enough', currentPassword: 'old' });
    const outcome = profileChange(user, next, false);
    expect(outcome).toEqual({ change: { name: 'Ann Lee' } });
    if ('change' in outcome) {
      expect(outcome.change).not.toHaveProperty('password');
      expect(outcome.change).not.toHaveProperty('currentPassword');
    }
    // Nor does a mismatch there stop the rest.
    expect(profileChange(user, draft({ name: 'Ann Lee', password: 'a', passwordAgain: 'b' }), false)).toEqual({
      change: { name: 'Ann Lee' },
    });
  });
});

describe('wantsNewPassword', () => {
  it('is true once either field has text', () => {
    expect(wantsNewPassword({ password: '', passwordAgain: '' })).toBe(false);
    expect(wantsNewPassword({ password: 'a', passwordAgain: '' })).toBe(true);
    expect(wantsNewPassword({ password: '', passwordAgain: 'a' })).toBe(true);
  });
});

describe('withUser', () => {
  it('keeps the server and takes the saved user', () => {
    const session: SessionInfo = { serverUrl: 'https://crm.example.com', user };
    const saved = { ...user, name: 'Ann Lee', email: 'ann.lee@example.com' };
    const next = withUser(session, saved);
    expect(next).toEqual({ serverUrl: 'https://crm.example.com', user: saved });
    expect(session.user.name).toBe('Ann Rep');
  });
});

describe('profileErrorText', () => {
  it('passes the message on', () => {
    expect(profileErrorText({ code: 'invalid_input', message: 'Email is already in use' })).toBe('Email is already in use');
  });
});

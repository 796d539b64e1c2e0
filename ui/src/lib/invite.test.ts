import { describe, expect, it } from 'vitest';
import { acceptInviteProblem, passwordProblem } from './invite';

describe('passwordProblem', () => {
  it('needs at least 8 characters', () => {
    expect(passwordProblem('', '')).toBe('The new password needs at least 8 characters.');
    expect(passwordProblem('1234567', '1234567')).toMatch(/at least 8/);
    expect(passwordProblem('12345678', '12345678')).toBeNull();
  });
  it('counts characters, not UTF-16 units', () => {
    // Four emoji are eight UTF-16 units but four characters.
    expect(passwordProblem('😀😀😀😀', '😀😀😀😀')).toMatch(/at least 8/);
    expect(passwordProblem('crocodîle', 'crocodîle')).toBeNull();
  });
  it('needs the confirmation to match exactly', () => {
    expect(passwordProblem('long enough', 'long enough ')).toBe('The two passwords do not match.');
    expect(passwordProblem('long enough', 'Long enough')).toMatch(/do not match/);
  });
  it('checks the length before the match', () => {
    expect(passwordProblem('short', 'other')).toMatch(/at least 8/);
  });
});

describe('acceptInviteProblem', () => {
  const form = {
    serverUrl: 'https://crm.example.com',
    email: 'ann@example.com',
    code: 'ABCD-1234',
    password: 'correct horse',
    confirm: 'correct horse',
  };
  it('accepts a complete form', () => {
    expect(acceptInviteProblem(form)).toBeNull();
  });
  it('says what is missing', () => {
    expect(acceptInviteProblem({ ...form, serverUrl: ' ' })).toMatch(/server/);
    expect(acceptInviteProblem({ ...form, email: '' })).toMatch(/email/);
    expect(acceptInviteProblem({ ...form, code: '  ' })).toMatch(/invite code/);
    expect(acceptInviteProblem({ ...form, confirm: 'correct horse!' })).toMatch(/do not match/);
  });
});

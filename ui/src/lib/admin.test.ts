import { describe, expect, it } from 'vitest';
import type { TeamMember } from './bindings';
import {
  MASK,
  TEAM_UNSUPPORTED,
  activeButtonText,
  adminErrorText,
  inviteProblem,
  isEmail,
  lastLeadText,
  memberLock,
  memberStatus,
  memberTextdripText,
  roleLabel,
  secretText,
  upsertMember,
} from './admin';

function member(overrides: Partial<TeamMember> = {}): TeamMember {
  return {
    id: 'u-2',
    name: 'Ann Rep',
    email: 'ann@example.com',
    role: 'user',
    active: true,
    invited: false,
    textdripConnected: false,
    ...overrides,
  };
}

describe('secretText', () => {
  it('masks until revealed', () => {
    expect(secretText(null)).toBe(MASK);
    expect(secretText(undefined)).toBe('••••••');
    expect(secretText('sid-123')).toBe('sid-123');
    expect(secretText('')).toBe('');
  });
});

describe('members', () => {
  it('labels roles', () => {
    expect(roleLabel('user')).toBe('Rep');
    expect(roleLabel('admin')).toBe('Admin');
  });
  it('tells active, invited and deactivated apart', () => {
    expect(memberStatus(member())).toBe('Active');
    expect(memberStatus(member({ invited: true }))).toBe('Invited');
    expect(memberStatus(member({ active: false, invited: true }))).toBe('Deactivated');
  });
  it('asks to confirm a deactivation, not a reactivation', () => {
    expect(activeButtonText(member(), false)).toBe('Deactivate');
    expect(activeButtonText(member(), true)).toBe('Confirm deactivate');
    expect(activeButtonText(member({ active: false }), true)).toBe('Reactivate');
  });
  it('says whether Textdrip is connected', () => {
    expect(memberTextdripText(member({ textdripConnected: true }))).toBe('Connected');
    expect(memberTextdripText(member())).toBe('Not connected');
  });
  it('locks the admin out of changing themselves only', () => {
    expect(memberLock(member({ id: 'u-1' }), 'u-1')).not.toBeNull();
    expect(memberLock(member({ id: 'u-2' }), 'u-1')).toBeNull();
  });
  it('replaces a member by id or adds a new one', () => {
    const team = [member({ id: 'a' }), member({ id: 'b', name: 'Bo' })];
    const changed = upsertMember(team, member({ id: 'b', name: 'Bo', role: 'admin' }));
    expect(changed.map((m) => [m.id, m.role])).toEqual([
      ['a', 'user'],
      ['b', 'admin'],
    ]);
    expect(team[1].role).toBe('user');
    expect(upsertMember(team, member({ id: 'c' })).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('isEmail', () => {
  it('takes name@host.tld, trimmed', () => {
    expect(isEmail(' ann@example.com ')).toBe(true);
    for (const bad of ['', 'ann', 'ann@example', '@example.com', 'ann lee@example.com']) expect(isEmail(bad), bad).toBe(false);
  });
});

describe('inviteProblem', () => {
  it('needs an email address and a name', () => {
    expect(inviteProblem('', 'Ann')).toMatch(/email address/);
    expect(inviteProblem('ann', 'Ann')).toBe('“ann” is not an email address.');
    expect(inviteProblem('ann@example', 'Ann')).toMatch(/not an email/);
    expect(inviteProblem(' ann@example.com ', ' ')).toMatch(/name/);
    expect(inviteProblem(' ann@example.com ', 'Ann')).toBeNull();
  });
});

describe('lastLeadText', () => {
  const now = Date.parse('2026-03-04T15:00:00Z');
  it('names the lead and when it came', () => {
    expect(lastLeadText({ id: 'l1', name: 'Rosa Diaz', receivedAt: '2026-03-04T14:57:00Z' }, now)).toBe(
      'Rosa Diaz, received 3 min ago',
    );
    expect(lastLeadText({ id: 'l1', name: ' ', receivedAt: '2026-03-04T15:00:00Z' }, now)).toBe('—, received just now');
  });
  it('says when none came yet', () => {
    expect(lastLeadText(null, now)).toBe('No lead received yet');
  });
});

describe('adminErrorText', () => {
  it('explains admin-only and unsupported errors', () => {
    expect(adminErrorText({ code: 'forbidden', message: 'Forbidden.' })).toBe('Forbidden. Only an admin can do this.');
    expect(adminErrorText({ code: 'unsupported', message: '' })).toBe(TEAM_UNSUPPORTED);
    expect(adminErrorText({ code: 'network', message: 'Offline.' })).toBe('Offline.');
  });
});

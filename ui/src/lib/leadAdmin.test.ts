import { describe, expect, it } from 'vitest';
import type { NewLeadInput } from './bindings';
import {
  NEW_LEAD_NEEDS,
  deleteQuestion,
  emptyNewLead,
  leadAdminErrorText,
  mayDeleteLead,
  newLeadInput,
  newLeadProblem,
  newLeadReady,
} from './leadAdmin';

const lead = (fields: Partial<NewLeadInput>): NewLeadInput => ({ ...emptyNewLead(), ...fields });

describe('newLeadReady', () => {
  it('needs a name, a phone or an email', () => {
    expect(newLeadReady(emptyNewLead())).toBe(false);
    expect(newLeadReady(lead({ firstName: 'Rosa' }))).toBe(true);
    expect(newLeadReady(lead({ lastName: 'Diaz' }))).toBe(true);
    expect(newLeadReady(lead({ phone: '(512) 555-0100' }))).toBe(true);
    expect(newLeadReady(lead({ email: 'rosa@example.com' }))).toBe(true);
  });
  it('does not count blanks, nor the state, ZIP or notes alone', () => {
    expect(newLeadReady(lead({ firstName: '  ', phone: ' ', email: '\t' }))).toBe(false);
    expect(newLeadReady(lead({ state: 'TX', zipcode: '78701', notes: 'Called in' }))).toBe(false);
  });
});

describe('newLeadProblem', () => {
  it('says what is missing', () => {
    expect(newLeadProblem(emptyNewLead())).toBe(NEW_LEAD_NEEDS);
  });
  it('refuses an email that is not one', () => {
    expect(newLeadProblem(lead({ firstName: 'Rosa', email: 'rosa@example' }))).toBe('“rosa@example” is not an email address.');
  });
  it('leaves the phone, state and ZIP to the server', () => {
    expect(newLeadProblem(lead({ phone: '555', state: 'Texas', zipcode: '7870' }))).toBeNull();
  });
});

describe('newLeadInput', () => {
  it('trims each field and capitalises the state', () => {
    expect(
      newLeadInput({
        firstName: ' Rosa ',
        lastName: 'Diaz ',
        phone: ' 5125550100',
        email: ' rosa@example.com ',
        state: ' tx ',
        zipcode: ' 78701 ',
        notes: '  Wants a quote\n',
      }),
    ).toEqual({
      firstName: 'Rosa',
      lastName: 'Diaz',
      phone: '5125550100',
      email: 'rosa@example.com',
      state: 'TX',
      zipcode: '78701',
      notes: 'Wants a quote',
    });
  });
});

describe('mayDeleteLead', () => {
  const claim = (by: string) => ({ by, name: 'Ann Rep', at: '2026-01-05T15:00:00Z' });
  it('lets an admin delete any lead', () => {
    expect(mayDeleteLead({ id: 'a1', role: 'admin' }, null)).toBe(true);
    expect(mayDeleteLead({ id: 'a1', role: 'admin' }, claim('u2'))).toBe(true);
  });
  it('lets a rep delete only a lead its row says is theirs', () => {
    expect(mayDeleteLead({ id: 'u1', role: 'user' }, claim('u1'))).toBe(true);
    expect(mayDeleteLead({ id: 'u1', role: 'user' }, claim('u2'))).toBe(false);
    expect(mayDeleteLead({ id: 'u1', role: 'user' }, null)).toBe(false);
    expect(mayDeleteLead({ id: 'u1', role: 'user' }, undefined)).toBe(false);
  });
});

describe('deleteQuestion', () => {
  it('names the lead', () => {
    expect(deleteQuestion('Rosa Diaz')).toMatch(/^Delete “Rosa Diaz”\?/);
    expect(deleteQuestion('  ')).toMatch(/^Delete “—”\?/);
  });
});

describe('leadAdminErrorText', () => {
  it('says who may, when refused', () => {
    expect(leadAdminErrorText({ code: 'forbidden', message: 'Forbidden.' })).toBe("Forbidden. Only an admin or the lead's owner may do this.");
    expect(leadAdminErrorText({ code: 'network', message: 'The server cannot be reached.' })).toBe('The server cannot be reached.');
  });
});

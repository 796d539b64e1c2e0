import { describe, expect, it } from 'vitest';
import type { TextPreview } from './bindings';
import {
  campaignAddedText,
  contactText,
  countText,
  encodingLabel,
  hoursWarning,
  missingText,
  placeholderName,
  removeTemplate,
  sendBlocker,
  senderDisplay,
  senderLabel,
  sentText,
  templateFor,
  templateProblem,
  upsertTemplate,
} from './texting';

function preview(overrides: Partial<TextPreview> = {}): TextPreview {
  return {
    text: 'Hi Rosa, this is Ann about your quote.',
    chars: 38,
    segments: 1,
    encoding: 'gsm7',
    missing: [],
    to: '(312) 555-0123',
    sender: '+13125550100',
    senders: [{ phone: '+13125550100', display: '(312) 555-0100', primary: true }],
    localTime: '2:15 PM CST',
    hours: '8 AM–9 PM',
    outsideHours: false,
    optedOut: false,
    ...overrides,
  };
}

const ready = { message: 'Hi {first_name}', confirmedHours: false, busy: false };

describe('countText', () => {
  it('counts characters and segments with the encoding', () => {
    expect(countText({ chars: 58, segments: 1, encoding: 'gsm7' })).toBe('58 characters · 1 segment (GSM-7)');
    expect(countText({ chars: 71, segments: 2, encoding: 'ucs2' })).toBe('71 characters · 2 segments (Unicode)');
  });
  it('says one character, and groups large counts', () => {
    expect(countText({ chars: 1, segments: 1, encoding: 'gsm7' })).toBe('1 character · 1 segment (GSM-7)');
    expect(countText({ chars: 1530, segments: 10, encoding: 'gsm7' })).toBe('1,530 characters · 10 segments (GSM-7)');
    expect(countText({ chars: 0, segments: 0, encoding: 'gsm7' })).toBe('0 characters · 0 segments (GSM-7)');
  });
  it('labels the encodings', () => {
    expect(encodingLabel('gsm7')).toBe('GSM-7');
    expect(encodingLabel('ucs2')).toBe('Unicode');
  });
});

describe('missingText', () => {
  it('is null when nothing is missing', () => {
    expect(missingText([])).toBeNull();
    expect(missingText(['', '{}'])).toBeNull();
  });
  it('names the fields the lead has no value for, with or without braces', () => {
    expect(placeholderName('{ zip }')).toBe('zip');
    expect(missingText(['zip', '{city}'])).toBe('This lead has no value for {zip}, {city}.');
  });
  it('tells unknown fields apart and lists the known ones', () => {
    const text = missingText(['{firstname}']);
    expect(text).toMatch(/^Unknown field \{firstname\}: use \{first_name\}, /);
    expect(text).toContain('{agent_name}');
    expect(missingText(['zip', 'foo', 'bar', 'zip'])).toMatch(/^This lead has no value for \{zip\}\. Unknown fields \{foo\}, \{bar\}:/);
  });
});

describe('hoursWarning', () => {
  it('says the lead local time when known', () => {
    expect(hoursWarning({ localTime: '9:30 PM CST', hours: '8 AM–8 PM' })).toBe(
      'It is 9:30 PM CST for this lead, outside their calling hours (8 AM–8 PM).',
    );
    expect(hoursWarning({ localTime: '1:00 PM CST', hours: 'no calls on Sunday' })).toBe(
      'It is 1:00 PM CST for this lead, outside their calling hours (no calls on Sunday).',
    );
    expect(hoursWarning({ localTime: '1:00 PM CST', hours: null })).toBe(
      'It is 1:00 PM CST for this lead, outside their calling hours.',
    );
    expect(hoursWarning({ localTime: null, hours: null })).toMatch(/local time is unknown/);
    expect(hoursWarning({ localTime: '  ', hours: '8 AM–9 PM' })).toMatch(/local time is unknown/);
  });
});

describe('sendBlocker', () => {
  it('lets a ready message go', () => {
    expect(sendBlocker(preview(), ready)).toBeNull();
  });
  it('waits for the first preview and while sending', () => {
    expect(sendBlocker(null, ready)).toMatch(/Preparing/);
    expect(sendBlocker(preview(), { ...ready, busy: true })).toBe('Sending…');
  });
  it('refuses a lead who opted out, even when confirmed', () => {
    expect(sendBlocker(preview({ optedOut: true }), { ...ready, confirmedHours: true })).toMatch(/opted out/);
  });
  it('refuses a lead without a phone a text can go to', () => {
    expect(sendBlocker(preview({ to: null }), ready)).toMatch(/no phone number/);
  });
  it('refuses an empty message', () => {
    expect(sendBlocker(preview(), { ...ready, message: '  \n ' })).toMatch(/Type a message/);
  });
  it('asks for the confirmation outside the lead hours, and only there', () => {
    const late = preview({ outsideHours: true, localTime: '9:30 PM CST' });
    expect(sendBlocker(late, ready)).toMatch(/Send anyway/);
    expect(sendBlocker(late, { ...ready, confirmedHours: true })).toBeNull();
    expect(sendBlocker(preview(), { ...ready, confirmedHours: true })).toBeNull();
  });
});

describe('sentText and senderLabel', () => {
  it('says where the text went', () => {
    expect(sentText({ to: '(312) 555-0123', sender: '(312) 555-0100' })).toBe('Sent to (312) 555-0123');
  });
  it('formats the sender numbers and marks the primary one', () => {
    expect(senderLabel({ phone: '+13125550100', display: '(312) 555-0100', primary: true })).toBe('(312) 555-0100 · primary');
    expect(senderLabel({ phone: '+13125550101', display: '(312) 555-0101', primary: false })).toBe('(312) 555-0101');
  });
});

describe('senderDisplay', () => {
  it('shows the chosen sender as Rust formatted it', () => {
    expect(senderDisplay(preview())).toBe('(312) 555-0100');
  });
  it('falls back to the number itself when it is not among the senders', () => {
    expect(senderDisplay(preview({ sender: '+13125550199' }))).toBe('+13125550199');
    expect(senderDisplay(preview({ sender: null, senders: [] }))).toBeNull();
  });
});

describe('contactText', () => {
  it.each([
    [null, false, 'Not checked yet'],
    [null, true, 'Checking Textdrip…'],
    [{ exists: true, optedOut: false }, true, 'Checking Textdrip…'],
    [{ exists: true, optedOut: false }, false, 'Textdrip contact'],
    [{ exists: true, optedOut: true }, false, 'Textdrip contact · opted out of texts'],
    [{ exists: false, optedOut: false }, false, 'Not yet in Textdrip'],
  ])('%j checking=%s → %s', (contact, checking, expected) => {
    expect(contactText(contact, checking)).toBe(expected);
  });
});

describe('templates', () => {
  const templates = [
    { name: 'Intro', body: 'Hi {first_name}, this is {agent_name}.' },
    { name: 'Follow-up', body: 'Still interested in a quote?' },
  ];
  it('finds the template the message is', () => {
    expect(templateFor(templates, 'Still interested in a quote?')).toBe('Follow-up');
    expect(templateFor(templates, 'Still interested in a quote')).toBe('');
    expect(templateFor([{ name: 'Blank', body: '' }], '')).toBe('');
  });
  it('adds a new template at the end without changing the old list', () => {
    const next = upsertTemplate(templates, ' Late ', 'Sorry for the late text.');
    expect(next.map((t) => t.name)).toEqual(['Intro', 'Follow-up', 'Late']);
    expect(templates).toHaveLength(2);
  });
  it('replaces a template of the same name, whatever its case', () => {
    const next = upsertTemplate(templates, 'intro', 'Hello {first_name}!');
    expect(next).toEqual([
      { name: 'intro', body: 'Hello {first_name}!' },
      { name: 'Follow-up', body: 'Still interested in a quote?' },
    ]);
    expect(templates[0].body).toBe('Hi {first_name}, this is {agent_name}.');
  });
  it('removes a template by name', () => {
    expect(removeTemplate(templates, 'Intro').map((t) => t.name)).toEqual(['Follow-up']);
    expect(removeTemplate(templates, 'Nope')).toEqual(templates);
  });
  it('needs a name and a message', () => {
    expect(templateProblem(' ', 'Hi')).toMatch(/Name/);
    expect(templateProblem('Intro', ' ')).toMatch(/message/);
    expect(templateProblem('Intro', 'Hi')).toBeNull();
  });
});

describe('campaignAddedText', () => {
  it('names the campaign', () => {
    expect(campaignAddedText('Final expense')).toBe('Added to “Final expense”');
  });
});

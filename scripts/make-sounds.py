#!/usr/bin/env python3
"""Synthesises Crokodial's alert sounds (our own making) into assets/sounds/*.wav.

Each sound is a short sum of decaying sine partials: 44.1 kHz, mono, 16-bit PCM.
Run it again only to change a sound; the WAV files are committed.
"""
import math, struct, wave, pathlib

RATE = 44100
OUT = pathlib.Path(__file__).resolve().parent.parent / "assets" / "sounds"


def tone(notes, length):
    """notes: (start_s, freq_hz, amplitude, decay_per_s)."""
    n = int(RATE * length)
    buf = [0.0] * n
    for start, freq, amp, decay in notes:
        for i in range(int(start * RATE), n):
            t = i / RATE - start
            attack = min(1.0, t / 0.005)  # 5 ms attack: no click
            buf[i] += amp * attack * math.exp(-decay * t) * math.sin(2 * math.pi * freq * t)
    fade = int(0.01 * RATE)
    for i in range(fade):  # 10 ms fade-out
        buf[n - 1 - i] *= i / fade
    return buf


def write(name, samples):
    peak = max(abs(s) for s in samples) or 1.0
    with wave.open(str(OUT / name), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(s / peak * 0.9 * 32767)) for s in samples))


OUT.mkdir(parents=True, exist_ok=True)
# "Chime": a rising major third, bell-like partials.
write("chime.wav", tone([(0.0, 880, 1.0, 6), (0.0, 1760, 0.3, 9), (0.12, 1108.7, 1.0, 5), (0.12, 2217.5, 0.3, 8)], 0.6))
# "Bell": one low strike with inharmonic partials and a long ring.
write("bell.wav", tone([(0.0, 523.3, 1.0, 3), (0.0, 1256, 0.5, 5), (0.0, 2093, 0.25, 7), (0.0, 2930, 0.12, 9)], 1.0))
# "Triple": three quick high beeps, the most insistent of the three.
write("triple.wav", tone([(k * 0.13, 1568, 1.0, 22) for k in range(3)] + [(k * 0.13, 3136, 0.2, 30) for k in range(3)], 0.45))
# "Reminder": a falling pair, twice, soft and unlike the lead sounds: a callback is due.
write("reminder.wav", tone([(0.0, 1318.5, 1.0, 7), (0.16, 987.8, 1.0, 7), (0.5, 1318.5, 0.8, 7), (0.66, 987.8, 0.8, 6)], 1.0))

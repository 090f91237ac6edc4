"""The alert sound the queue page plays for a new urgent escalation: made here, in code.

A short two-note chime (880 Hz then 660 Hz, 0.18 s each, fading out), 8 kHz 8-bit mono PCM,
written with the standard library's `wave`: about 3 KB, no file downloaded or shipped.
"""

from __future__ import annotations

import io
import math
import wave
from functools import lru_cache

RATE = 8000  # samples a second
NOTES = ((880.0, 0.18), (660.0, 0.18))  # (Hz, seconds)
VOLUME = 0.6  # of full scale


@lru_cache(maxsize=1)
def chime_wav() -> bytes:
    """The chime as a complete WAV file (RIFF, PCM unsigned 8-bit, mono, RATE Hz)."""
    frames = bytearray()
    for freq, seconds in NOTES:
        count = int(RATE * seconds)
        for i in range(count):
            fade = 1.0 - i / count
            sample = math.sin(2 * math.pi * freq * i / RATE) * VOLUME * fade
            frames.append(128 + int(127 * sample))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()

"""Channels: a Twilio webhook in, engine events through, TwiML out."""

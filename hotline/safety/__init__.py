"""Safety: danger triage, encryption at rest, rate limits, security headers, fallbacks."""

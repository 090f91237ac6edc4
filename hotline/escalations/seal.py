"""The one place escalations write and read phone numbers and message text: sealed at rest.

Fernet under HOTLINE_SECRET_KEY, from hotline.safety.crypto (older keys still read).
"""

from hotline.safety.crypto import configure, seal, unseal

__all__ = ["configure", "seal", "unseal"]

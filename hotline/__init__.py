"""hotline: an SMS and voice hotline router for anti-trafficking help."""

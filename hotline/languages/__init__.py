"""Languages: finding a first message's language (detect.py) and the translation workflow
for fluent reviewers (translations.py)."""

"""`python -m tests.triage_corpus [-v]`: precision and recall per language, tuning and held-out."""

from __future__ import annotations

import sys

from tests.triage_corpus import Judge, languages, parts, score


def main() -> None:
    verbose = "-v" in sys.argv[1:]
    judge = Judge()
    for language in languages():
        for part in parts(language):
            result = score(judge, language, part)
            print(result.line())
            if verbose:
                for name in ("fn", "fp", "disclosure_missed", "safe_disclosed"):
                    for entry in getattr(result, name):
                        print(f"    {name}: {entry}")


if __name__ == "__main__":
    main()

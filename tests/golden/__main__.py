"""`python -m tests.golden --update`: replay every golden conversation and rewrite its replies."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from hotline.store import EmbeddedRedis
from tests.conftest import test_environ
from tests.golden import dump, environment, golden_files, load, play


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the expected replies")
    args = parser.parse_args()
    if not args.update:
        parser.error("nothing to do without --update (the test suite checks the files)")
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", persist=False)
        url = server.start()
        try:
            for path in golden_files():
                _regenerate(path, url, Path(tmp))
        finally:
            server.stop()


def _regenerate(path: Path, url: str, tmp: Path) -> None:
    from hotline.app import create_app
    from hotline.devphone import DevPhone
    from hotline.store import connect

    connect(url).flushdb()
    conversation = load(path)
    os.environ.update(test_environ(url, tmp, **environment(conversation)))
    phone = DevPhone(create_app())
    dump(path, conversation, play(phone.text, conversation))
    print(f"rewrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()

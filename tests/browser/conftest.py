"""Browser tests run beside other work on 2 cores: give every expectation room to breathe."""

from playwright.sync_api import expect

expect.set_options(timeout=15_000)

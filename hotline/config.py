"""Settings read from the environment, once, into one immutable object."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("production", "development", "test")


class ConfigError(RuntimeError):
    """The environment does not describe a hotline that may start."""


@dataclass(frozen=True)
class Settings:
    env: str = "production"
    twilio_auth_token: str = ""
    twilio_account_sid: str = ""
    twilio_number: str = ""
    public_url: str = ""
    redis_url: str = ""
    redis_timeout: float = 0.5
    replica_wait_ms: int = 200  # an escalation's write waits this long for a replica's ack
    data_dir: Path = Path(".hotline")
    flows_dir: Path = Path("flows")
    resources_dir: Path = Path("data")
    secret_keys: tuple[str, ...] = ()
    hash_key: str = ""  # keys the hash of phone numbers; never rotates (see hash_key_of)
    hash_key_configured: bool = False  # HOTLINE_HASH_KEY was set (not the default)
    program_name: str = "Community Info Line"
    session_ttl: int = 24 * 3600
    retention_days: int = 30
    rate_limit: int = 20  # messages per sender per minute before the hotline slows down
    timezone: str = "America/New_York"
    staffed_hours: str = "mon-fri 09:00-17:00"
    oncall_numbers: tuple[str, ...] = ()
    languages_off: tuple[str, ...] = ()  # language codes switched off (HOTLINE_LANGUAGES_OFF)
    interpreter_number: str = ""  # a telephone interpreter service, E.164
    interpreter_pin: str = ""  # the account PIN its menu asks for (sent as DTMF)
    interpreter_codes: tuple[tuple[str, str], ...] = ()  # (language, the service's code)
    audit_retention_days: int = 365
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For is believed
    allow_outbox: bool = False  # production: staff replies to the Outbox (a drill), explicitly
    allow_embedded_redis: bool = False  # production: a private Redis on this host, explicitly
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def development(self) -> bool:
        return self.env in ("development", "test")

    @property
    def secret_key(self) -> str:
        """The current key: the first of HOTLINE_SECRET_KEY's comma-separated keys."""
        return self.secret_keys[0]

    @property
    def replies_sent(self) -> bool:
        """Whether staff replies and alerts really go out (Twilio), not to the Outbox."""
        return not self.development and bool(self.twilio_account_sid)


def hash_key_of(secret_keys: tuple[str, ...], configured: str = "") -> str:
    """The key of the number hash: HOTLINE_HASH_KEY, else the OLDEST of HOTLINE_SECRET_KEY's keys.

    Rotation puts a new key first (`K2,K1`), so the oldest key, the one every stored hash was
    made with, stays the hash key until the operator drops it; before dropping it they set
    HOTLINE_HASH_KEY to it (a start with a different hash key over existing data is refused).
    """
    return configured or (secret_keys[-1] if secret_keys else "")


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _pairs(value: str) -> tuple[tuple[str, str], ...]:
    """ "km=123,ht=456" as (("km", "123"), ("ht", "456")); a part without "=" is refused."""
    out = []
    for part in _split(value):
        code, sep, digits = part.partition("=")
        if not sep or not code.strip() or not digits.strip():
            raise ConfigError(f"HOTLINE_INTERPRETER_CODES: {part!r} is not LANG=CODE")
        out.append((code.strip().lower(), digits.strip()))
    return tuple(out)


def _yes(value: str) -> bool:
    return value.strip().lower() in ("1", "yes", "true", "on")


def _dev_secret(data_dir: Path) -> str:
    """A development key kept under the data folder so sessions survive restarts."""
    path = data_dir / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build Settings from environment variables (see README, Configuration)."""
    env = dict(os.environ if environ is None else environ)
    get = env.get
    hotline_env = get("HOTLINE_ENV", "production").strip().lower()
    if hotline_env not in ENVIRONMENTS:
        raise ConfigError(f"HOTLINE_ENV must be one of {ENVIRONMENTS}, not {hotline_env!r}")
    data_dir = Path(get("HOTLINE_DATA_DIR", ".hotline"))
    keys = _split(get("HOTLINE_SECRET_KEY", ""))
    values: dict[str, object] = dict(
        env=hotline_env,
        twilio_auth_token=get("TWILIO_AUTH_TOKEN", ""),
        twilio_account_sid=get("TWILIO_ACCOUNT_SID", ""),
        twilio_number=get("TWILIO_PHONE_NUMBER", ""),
        public_url=get("HOTLINE_PUBLIC_URL", "").rstrip("/"),
        redis_url=get("REDIS_URL", ""),
        redis_timeout=float(get("HOTLINE_REDIS_TIMEOUT", "0.5")),
        replica_wait_ms=int(get("HOTLINE_REPLICA_WAIT_MS", "200")),
        data_dir=data_dir,
        flows_dir=Path(get("HOTLINE_FLOWS_DIR", "flows")),
        resources_dir=Path(get("HOTLINE_RESOURCES_DIR", "data")),
        secret_keys=keys,
        program_name=get("HOTLINE_PROGRAM_NAME", "Community Info Line"),
        session_ttl=int(get("HOTLINE_SESSION_TTL", str(24 * 3600))),
        retention_days=int(get("HOTLINE_RETENTION_DAYS", "30")),
        rate_limit=int(get("HOTLINE_RATE_LIMIT", "20")),
        timezone=get("HOTLINE_TIMEZONE", "America/New_York"),
        staffed_hours=get("HOTLINE_STAFFED_HOURS", "mon-fri 09:00-17:00"),
        oncall_numbers=_split(get("HOTLINE_ONCALL_NUMBERS", "")),
        languages_off=tuple(c.lower() for c in _split(get("HOTLINE_LANGUAGES_OFF", ""))),
        interpreter_number=get("HOTLINE_INTERPRETER_NUMBER", "").strip(),
        interpreter_pin=get("HOTLINE_INTERPRETER_PIN", "").strip(),
        interpreter_codes=_pairs(get("HOTLINE_INTERPRETER_CODES", "")),
        hash_key=get("HOTLINE_HASH_KEY", "").strip(),
        hash_key_configured=bool(get("HOTLINE_HASH_KEY", "").strip()),
        audit_retention_days=int(get("HOTLINE_AUDIT_RETENTION_DAYS", "365")),
        trusted_proxies=int(get("HOTLINE_TRUSTED_PROXIES", "0")),
        allow_outbox=_yes(get("HOTLINE_ALLOW_OUTBOX", "")),
        allow_embedded_redis=_yes(get("HOTLINE_ALLOW_EMBEDDED_REDIS", "")),
    )
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    return _checked(settings)


def _checked(settings: Settings) -> Settings:
    if settings.env == "production":
        if not settings.twilio_auth_token:
            raise ConfigError(
                "TWILIO_AUTH_TOKEN is not set: the hotline will not start without signature "
                "checks. Set it, or HOTLINE_ENV=development for local work."
            )
        if not settings.secret_keys:
            raise ConfigError("HOTLINE_SECRET_KEY is not set (see README, Safety and privacy).")
        _refuse_silent_failures(settings)
    else:
        if not settings.secret_keys:
            key = _dev_secret(settings.data_dir)
            settings = Settings(**{**settings.__dict__, "secret_keys": (key,)})
        if not settings.twilio_auth_token:
            settings = Settings(**{**settings.__dict__, "twilio_auth_token": "development-token"})
    hash_key = hash_key_of(settings.secret_keys, settings.hash_key)
    return Settings(**{**settings.__dict__, "hash_key": hash_key})


def _refuse_silent_failures(settings: Settings) -> None:
    """Production settings that would lose replies or split state without a word, refused."""
    if not settings.twilio_account_sid and not settings.allow_outbox:
        raise ConfigError(
            "TWILIO_ACCOUNT_SID is not set: staff replies and alerts would go to an Outbox "
            "nobody sees and be marked sent. Set it, or HOTLINE_ALLOW_OUTBOX=1 for a drill "
            "(the dashboard then says replies are not being sent)."
        )
    if not settings.redis_url and not settings.allow_embedded_redis:
        raise ConfigError(
            "REDIS_URL is not set: each host would start its own private Redis, and hosts "
            "behind a load balancer would not share conversations, STOP or DELETE. Set it, or "
            "HOTLINE_ALLOW_EMBEDDED_REDIS=1 for a one-host install."
        )

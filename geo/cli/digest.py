"""``python -m geo digest``: the weekly "what changed" digest, written and sent.

The week's alerts (:mod:`geo.analysis.watch`), incidents near the team's
sites (with ``--sites`` only: sites are sensitive and a digest travels), the
top areas by change and a small map, as HTML, Markdown or PDF
(:mod:`geo.render.digest`); optionally mailed through the team's SMTP
server and posted to a chat webhook (:mod:`geo.io.deliver`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli.errors import DataError, UsageError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geo.analysis.watch import WeekDigest

SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".pdf": "pdf"}
# Chat tools cap a message (Slack near 40,000 characters): the text is cut before that.
WEBHOOK_MAX_CHARS = 30_000


def register(sub: Any) -> None:
    """Add the ``digest`` command to the ``python -m geo`` parser."""
    p = sub.add_parser(
        "digest",
        help="the week's alerts, incidents near sites and top changes (HTML, Markdown, PDF)",
        description="What changed in one ISO week: alerts per area, each saying why it fired "
        "(docs/watch.md), incidents near the team's sites (with --sites), the areas that rose "
        "most above their baseline and a small map. Writes --out, and/or mails it (--email) "
        "and posts it to a chat webhook (--webhook).",
        epilog="Example: python -m geo digest --week 2013-W08 --out digest.html. E-mail uses "
        "GEO_SMTP_HOST, GEO_SMTP_PORT, GEO_SMTP_STARTTLS, GEO_SMTP_USER, GEO_SMTP_PASSWORD, "
        "GEO_SMTP_FROM or [smtp] in .streamlit/secrets.toml.",
    )
    p.add_argument(
        "path",
        nargs="?",
        default=None,
        help="incident CSV or postgresql:// URL (default: the configured store)",
    )
    p.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week, e.g. 2013-W08 (default: the latest week)"
    )
    p.add_argument("--out", type=Path, help="output file: .html, .md or .pdf")
    p.add_argument(
        "--sites",
        action="store_true",
        help="include the store's sites: site alerts and the 'Near our sites' section "
        "(sensitive: only for team members)",
    )
    p.add_argument(
        "--email",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="mail the digest to this address (repeatable or comma-separated)",
    )
    p.add_argument("--webhook", metavar="URL", help="POST the digest as JSON to this URL")
    _add_rule_options(p)
    p.set_defaults(func=cmd_digest)


# The rules' settings a command line may change (geo.analysis.watch.WatchConfig).
_RULE_OPTIONS: tuple[tuple[str, type, str], ...] = (
    ("spike_test", str, "spike test: negbin or poisson (default negbin)"),
    ("spike_alpha", float, "spike threshold on P(X >= count) (default 0.01)"),
    ("spike_min_count", int, "fewest incidents in a week for a spike (default 2)"),
    ("baseline_floor", float, "lowest weekly rate a spike is tested against (default 0.1)"),
    ("quiet_days", int, "days without an incident before one is news (default 60)"),
    ("fatality_quantile", float, "quantile of the area's fatalities to exceed (default 0.9)"),
)


def _add_rule_options(p: argparse.ArgumentParser) -> None:
    rules = p.add_argument_group("alert rules (docs/watch.md)")
    for name, kind, text in _RULE_OPTIONS:
        rules.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, help=text)


def _config(args: argparse.Namespace) -> Any:
    from geo.analysis.watch import WatchConfig

    changes = {n: getattr(args, n) for n, *_ in _RULE_OPTIONS if getattr(args, n) is not None}
    try:
        return WatchConfig(**changes)
    except ValueError as exc:
        option = str(exc).split("=", 1)[0].replace("WatchConfig.", "--").replace("_", "-")
        raise UsageError(f"{option}: {str(exc).split(': ', 1)[-1]}") from None


def _check(args: argparse.Namespace) -> str | None:
    """The --out format, once the arguments make sense together."""
    if args.out is None and not args.email and not args.webhook:
        raise UsageError("nothing to do: give --out FILE, --email ADDRESS or --webhook URL")
    if args.webhook and urllib.parse.urlsplit(args.webhook).scheme not in ("http", "https"):
        raise UsageError(f"--webhook {args.webhook!r}: expected an http:// or https:// URL")
    if args.out is None:
        return None
    fmt = SUFFIXES.get(args.out.suffix.lower())
    if fmt is None:
        raise UsageError(f"--out {args.out}: the name must end in .html, .md or .pdf")
    if not args.out.parent.exists():
        raise UsageError(f"--out {args.out}: folder {args.out.parent} does not exist")
    return fmt


def _week(text: str | None, joined: pd.DataFrame) -> dt.date:
    from geo.analysis.watch import parse_week

    if text is None:
        dates = joined["event_date"].dropna()
        if dates.empty:
            raise UsageError("the incident file has no dated incidents; give --week YYYY-Www")
        return parse_week(dates.max().date())
    from geo.model.schema import DATE_MIN, date_max

    try:
        monday = parse_week(text)
    except ValueError as exc:
        raise UsageError(f"--week: {exc}") from None
    # Weeks are counted in pandas timestamps: the incident dates' own range.
    first, last = DATE_MIN.date(), date_max().date()
    if not first <= monday <= last - dt.timedelta(days=6):
        raise UsageError(f"--week {text}: expected a week from {first} to {last}")
    return monday


def _sites(store: Any) -> gpd.GeoDataFrame:
    from geo.io.sites import SiteFileError

    try:
        return store.sites()
    except SiteFileError as exc:
        raise DataError(str(exc)) from None


def cmd_digest(args: argparse.Namespace) -> int:
    """Build the digest of a week; write, mail and post it."""
    from geo.analysis.pipeline import prepare
    from geo.analysis.watch import week_digest
    from geo.io.backend import open_store

    fmt = _check(args)
    settings = _config(args)
    # The configured store by default (GEO_DATABASE_URL, else the CSV); its sites travel with it.
    store = open_store(args.path)
    recipients = [a.strip() for value in args.email for a in value.split(",") if a.strip()]
    joined = prepare(store.read())
    monday = _week(args.week, joined)
    sites = _sites(store) if args.sites else None
    digest = week_digest(joined, monday, settings, sites=sites)
    print(
        f"{digest.week} ({digest.start} to {digest.end}): {len(digest.incidents)} incident(s), "
        f"{len(digest.alerts)} alert(s)"
        + ("" if digest.near is None else f", {len(digest.near)} near a site")
    )
    if args.out is not None and fmt is not None:
        _write(digest, fmt, args.out)
    if recipients:
        _mail(digest, recipients)
    if args.webhook:
        _post(digest, args.webhook)
    return 0


def _write(digest: WeekDigest, fmt: str, out: Path) -> None:
    from geo.io.files import atomic_write_bytes
    from geo.render.digest import render_digest

    data = render_digest(digest, fmt)
    atomic_write_bytes(out, data, backup=False)
    print(f"wrote {out} ({fmt.upper()}, {len(data) / 1024:.0f} KB)")


def _mail(digest: WeekDigest, recipients: list[str]) -> None:
    from geo.io.deliver import DeliveryError, SmtpSettings, compose_email, send_email
    from geo.render.digest import render_digest

    try:
        settings = SmtpSettings.load()
        message = compose_email(
            settings.sender,
            recipients,
            f"What changed: week {digest.week} ({len(digest.alerts)} alert(s))",
            render_digest(digest, "md").decode("utf-8"),
            render_digest(digest, "html").decode("utf-8"),
            [(f"digest-{digest.week}.pdf", render_digest(digest, "pdf"), "application/pdf")],
        )
        send_email(settings, message)
    except DeliveryError as exc:
        raise DataError(f"e-mail not sent: {exc}") from None
    print(f"mailed to {', '.join(recipients)} through {settings.host}:{settings.port}")


def webhook_payload(digest: WeekDigest) -> dict[str, Any]:
    """The JSON a chat webhook receives: ``text`` (Markdown) and the alerts as data."""
    from geo.render.digest import render_digest

    text = render_digest(digest, "md").decode("utf-8")
    if len(text) > WEBHOOK_MAX_CHARS:
        text = text[: WEBHOOK_MAX_CHARS - 40].rsplit("\n", 1)[0] + "\n\n(cut: see the full digest)"
    alerts = [
        {
            "area": str(a["area"]),
            "iso3": str(a["iso3"]),
            "kind": str(a["kind"]),
            "subject": str(a["subject"]),
            "event_ids": list(a["event_ids"]),
            "why": str(a["why"]),
        }
        for _, a in digest.alerts.iterrows()
    ]
    return {
        "text": text,
        "week": digest.week,
        "start": digest.start.isoformat(),
        "end": digest.end.isoformat(),
        "incidents": len(digest.incidents),
        "alerts": alerts,
    }


def _post(digest: WeekDigest, url: str) -> None:
    from geo.io.deliver import DeliveryError, post_webhook

    try:
        status = post_webhook(url, webhook_payload(digest))
    except DeliveryError as exc:
        raise DataError(f"not posted: {exc}") from None
    print(f"posted to the webhook at {urllib.parse.urlsplit(url).hostname} ({status})")

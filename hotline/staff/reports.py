"""Reports for admins: /staff/reports (charts and tables), /staff/reports.json and
/staff/reports.csv, the same figures, from escalations/reports.py's counters and records.

Every count from 1 to HOTLINE_REPORT_MIN_COUNT - 1 is shown as "<N" (tables, JSON, CSV),
and drawn as no bar; timings over fewer answered conversations than that are withheld.
Charts are server-rendered SVG (pygal) as data: images, so the page keeps its strict CSP.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date, timedelta

import pygal
from flask import Response, abort, g, jsonify, render_template, request

from hotline import clock, current
from hotline.escalations import audit, outcomes, reports
from hotline.staff import present
from hotline.staff.auth import admin_required
from hotline.staff.views import bp
from hotline.store import get_redis

MAX_DAYS = 366
DEFAULT_DAYS = 7
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _range() -> tuple[date, date]:
    """from/to (ISO dates, local) from the query; the last 7 days by default; 400 if wrong."""
    today = reports.local_day(clock.now(), current.settings().timezone)
    try:
        end = date.fromisoformat(request.args["to"]) if request.args.get("to") else today
        start = (date.fromisoformat(request.args["from"]) if request.args.get("from")
                 else end - timedelta(days=DEFAULT_DAYS - 1))  # fmt: skip
    except ValueError:
        abort(400, "Dates are YYYY-MM-DD.")
    if start > end or (end - start).days >= MAX_DAYS:
        abort(400, f"Choose a range of 1 to {MAX_DAYS} days, the first date first.")
    return start, end


def suppress(n: int, floor: int) -> int | str:
    """A count as shown: 0 and counts of `floor` or more as they are, others as "<floor"."""
    return n if n == 0 or n >= floor else f"<{floor}"


WITHHELD = "*"  # a count withheld so that a suppressed one cannot be worked out from a total


def suppress_group(counts: dict[str, int], floor: int) -> dict[str, int | str]:
    """A group of counts whose total is shown: small ones as "<floor", and when exactly one
    is small, the smallest other non-zero count withheld too ("*"), so the total minus the
    others cannot give the small one back (secondary suppression)."""
    shown: dict[str, int | str] = {k: suppress(n, floor) for k, n in counts.items()}
    small = [k for k, v in shown.items() if isinstance(v, str)]
    if len(small) == 1:
        others = [k for k, n in counts.items() if k not in small and n > 0]
        if others:
            shown[min(others, key=lambda k: counts[k])] = WITHHELD
    return shown


def figures(report: reports.Report, floor: int, timezone: str) -> dict:
    """Every figure of the report as shown (suppressed), for the page, JSON and CSV alike."""
    known = outcomes.load(current.settings().flows_dir)
    columns = sorted({c for day in report.contacts.values() for c in day})
    contacts = [
        {"day": d, **suppress_group({c: report.contacts[d].get(c, 0) for c in columns}, floor),
         "total": suppress(sum(report.contacts[d].values()), floor)}
        for d in report.days
    ]  # fmt: skip
    timed = report.answered >= floor
    share = report.within_share if report.for_person >= floor else None
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "timezone": timezone,
        "suppressed_below": floor,
        "contacts": {"columns": columns, "rows": contacts},
        "escalations": {
            "total": suppress(report.escalations, floor),
            "by_kind": suppress_group(dict(sorted(report.by_kind.items())), floor),
            "by_priority": suppress_group(
                {str(p): n for p, n in sorted(report.by_priority.items())}, floor
            ),
            "by_outcome": suppress_group(
                {(o or "open"): n for o, n in _outcome_order(report, known)}, floor
            ),
        },
        "first_reply": {
            "for_person": suppress(report.for_person, floor),
            "answered": suppress(report.answered, floor),
            "p50_seconds": report.p50 if timed else None,
            "p90_seconds": report.p90 if timed else None,
            "within_5_min": suppress(report.within, floor),
            "within_5_min_share": round(share, 4) if share is not None else None,
        },
        "abandoned": suppress(report.abandoned, floor),
        "urgent_flags": suppress(report.urgent, floor),
        "delete_requests": suppress(report.deletes, floor),
    }


def _outcome_order(report: reports.Report, known: outcomes.Outcomes) -> list[tuple[str, int]]:
    """Outcomes in the file's order, then any others (retired codes), then still open."""
    order = [c for c in known.codes if c in report.by_outcome]
    order += sorted(c for c in report.by_outcome if c and c not in order)
    order += [""] if "" in report.by_outcome else []
    return [(c, report.by_outcome[c]) for c in order]


def _computed() -> tuple[dict, date, date]:
    start, end = _range()
    config = reports.ReportConfig.from_env()
    report = reports.compute(get_redis(), start, end)
    return figures(report, config.min_count, current.settings().timezone), start, end


def _plotted(value: int | str) -> int | None:
    return value if isinstance(value, int) else None  # suppressed: no bar


def _chart(kind, title: str, labels: list[str], series: dict[str, list[int | str]]) -> str:
    chart = kind(
        title=title, js=[], width=640, height=320, show_legend=len(series) > 1,
        print_values=False, explicit_size=True, x_label_rotation=30 if len(labels) > 7 else 0,
    )  # fmt: skip
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, [_plotted(v) for v in values])
    # pygal writes its tooltip configuration as a script even with js=[]: an image runs no
    # script, and the chart needs none, so it is left out.
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def charts(data: dict) -> dict[str, str]:
    """SVG data: URIs, one per table (suppressed cells drawn as no bar)."""
    rows, columns = data["contacts"]["rows"], data["contacts"]["columns"]
    esc = data["escalations"]
    return {
        "contacts": _chart(pygal.StackedBar, "Contacts per day", [r["day"][5:] for r in rows],
                           {c: [r[c] for r in rows] for c in columns} or {"none": []}),
        "kind": _chart(pygal.Bar, "Escalations by kind",
                       [present.KIND.get(k, k) for k in esc["by_kind"]],
                       {"escalations": list(esc["by_kind"].values())}),
        "priority": _chart(pygal.Bar, "Escalations by priority",
                           [present.PRIORITY.get(int(p) if p.isdigit() else p, p)
                            for p in esc["by_priority"]],
                           {"escalations": list(esc["by_priority"].values())}),
        "outcome": _chart(pygal.HorizontalBar, "Escalations by outcome",
                          [present.outcome_label(o) for o in esc["by_outcome"]],
                          {"escalations": list(esc["by_outcome"].values())}),
    }  # fmt: skip


@bp.get("/reports")
@admin_required
def reports_page():
    data, start, end = _computed()
    audit.record(get_redis(), g.staff.name, "reports", "", f"{start}..{end}", once_per=3600)
    return render_template("staff/reports.html", data=data, charts=charts(data),
                           present=present, outcome_label=present.outcome_label)  # fmt: skip


@bp.get("/reports.json")
@admin_required
def reports_json():
    data, start, end = _computed()
    audit.record(get_redis(), g.staff.name, "reports", "", f"{start}..{end} json", once_per=3600)
    return jsonify(data)


def rows(data: dict) -> list[tuple[str, str, str]]:
    """The figures as (section, item, value) rows: the CSV export."""
    out = [("range", "from", data["from"]), ("range", "to", data["to"]),
           ("range", "timezone", data["timezone"]),
           ("range", "suppressed_below", str(data["suppressed_below"]))]  # fmt: skip
    for row in data["contacts"]["rows"]:
        for column in [*data["contacts"]["columns"], "total"]:
            out.append(("contacts", f"{row['day']} {column}", str(row[column])))
    esc = data["escalations"]
    out.append(("escalations", "total", str(esc["total"])))
    for group in ("by_kind", "by_priority", "by_outcome"):
        out += [(f"escalations {group}", k, str(v)) for k, v in esc[group].items()]
    out += [("first_reply", k, "" if v is None else str(v)) for k, v in data["first_reply"].items()]
    out += [(k, "", str(data[k])) for k in ("abandoned", "urgent_flags", "delete_requests")]
    return out


@bp.get("/reports.csv")
@admin_required
def reports_csv():
    data, start, end = _computed()
    audit.record(get_redis(), g.staff.name, "reports", "", f"{start}..{end} csv", once_per=3600)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("section", "item", "value"))
    writer.writerows(rows(data))
    name = f"hotline-report-{start}-{end}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

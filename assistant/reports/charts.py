"""Charts as inline SVG, built by hand: a time chart (lines with event markers) and a bar chart.

No plotting library (matplotlib would add tens of megabytes for two chart types) and no script:
the report opens offline, in any browser, and prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
PAD_L, PAD_R, PAD_T, PAD_B = 56, 16, 34, 36


@dataclass
class Series:
    name: str
    points: list[tuple[datetime, float]]
    color: str
    dashed: bool = False


@dataclass
class Marker:
    at: datetime
    label: str
    color: str


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10 if value >= 1 else 0.1
    for mult in (1, 2, 2.5, 5, 10):
        if value <= step * mult * 1.0001:
            return step * mult
    return value


def _time_label(t: datetime, span: timedelta) -> str:
    return t.strftime("%d %b %H:%M") if span <= timedelta(days=3) else t.strftime("%d %b")


def time_chart(series: Sequence[Series], markers: Sequence[Marker] = (), *, title: str, y_label: str,
               y_max: float | None = None, y_format: Callable[[float], str] = lambda v: f"{v:g}",
               width: int = 860, height: int = 260) -> str:
    times = [t for s in series for t, _ in s.points] + [m.at for m in markers]
    if not times:
        return f'<p class="empty">{escape(title)}: no data yet.</p>'
    t0, t1 = min(times), max(times)
    if t1 <= t0:
        t0, t1 = t0 - timedelta(minutes=30), t1 + timedelta(minutes=30)
    top = y_max if y_max is not None else _nice_max(max((v for s in series for _, v in s.points), default=0.0))
    w, h = width - PAD_L - PAD_R, height - PAD_T - PAD_B

    def x(t: datetime) -> float:
        return PAD_L + w * (t - t0).total_seconds() / (t1 - t0).total_seconds()

    def y(v: float) -> float:
        return PAD_T + h - h * min(v, top) / top

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(title)}" {FONT}><title>{escape(title)}</title>',
           f'<rect x="{PAD_L}" y="{PAD_T}" width="{w}" height="{h}" fill="#fafafa" stroke="#ddd"/>']
    for i in range(5):
        v = top * i / 4
        out.append(f'<line x1="{PAD_L}" x2="{PAD_L + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e5e5"/>'
                   f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#555">'
                   f"{escape(y_format(v))}</text>")
    for i in range(6):
        t = t0 + (t1 - t0) * i / 5
        anchor = "start" if i == 0 else "end" if i == 5 else "middle"  # the edge labels stay inside
        out.append(f'<text x="{x(t):.1f}" y="{PAD_T + h + 16}" text-anchor="{anchor}" fill="#555">'
                   f"{escape(_time_label(t, t1 - t0))}</text>")
    out.append(f'<text x="14" y="{PAD_T + h / 2:.1f}" transform="rotate(-90 14 {PAD_T + h / 2:.1f})" '
               f'text-anchor="middle" fill="#333">{escape(y_label)}</text>')
    for n, m in enumerate(markers):
        mx = x(m.at)
        out.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{PAD_T}" y2="{PAD_T + h}" stroke="{m.color}" '
                   f'stroke-dasharray="4 3"><title>{escape(m.label)}</title></line>'
                   f'<text x="{mx + 3:.1f}" y="{PAD_T + 11 + 11 * (n % 3)}" fill="{m.color}">'
                   f"{escape(m.label[:28])}</text>")
    for s in series:
        pts = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in sorted(s.points))
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(f'<polyline fill="none" stroke="{s.color}" stroke-width="2"{dash} points="{pts}"/>')
        out += [f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.5" fill="{s.color}"><title>{escape(s.name)} '
                f"{escape(t.strftime('%d %b %H:%M'))}: {escape(y_format(v))}</title></circle>" for t, v in s.points]
    lx = PAD_L
    for s in series:
        out.append(f'<rect x="{lx}" y="10" width="12" height="4" fill="{s.color}"/>'
                   f'<text x="{lx + 16}" y="16" fill="#333">{escape(s.name)}</text>')
        lx += 24 + 7 * len(s.name)
    out.append("</svg>")
    return "".join(out)


def bar_chart(bars: Sequence[tuple[str, float]], *, title: str, color: str = "#3b6ea8",
              value_format: Callable[[float], str] = lambda v: f"{v:g}", width: int = 860) -> str:
    if not bars:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    row, label_w = 24, 150
    height = PAD_T + row * len(bars) + 10
    top = max(v for _, v in bars) or 1.0
    w = width - label_w - 80
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(title)}" {FONT}><title>{escape(title)}</title>',
           f'<text x="0" y="16" fill="#333" font-weight="600">{escape(title)}</text>']
    for i, (label, v) in enumerate(bars):
        by = PAD_T + i * row
        out.append(f'<text x="{label_w - 8}" y="{by + 15}" text-anchor="end" fill="#333">{escape(label)}</text>'
                   f'<rect x="{label_w}" y="{by + 4}" width="{max(1.0, w * v / top):.1f}" height="{row - 8}" '
                   f'fill="{color}"/><text x="{label_w + w * v / top + 6:.1f}" y="{by + 15}" fill="#333">'
                   f"{escape(value_format(v))}</text>")
    out.append("</svg>")
    return "".join(out)

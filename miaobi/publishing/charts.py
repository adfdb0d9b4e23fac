"""Charts drawn on the server as inline SVG: no script, no chart library, no CDN."""
from __future__ import annotations

from markupsafe import Markup, escape

COLOURS = ["#a81f1f", "#2f5d8a", "#5b8a2f", "#b07d1a"]


def _fmt(n: float) -> str:
    return f"{n:,.0f}" if n >= 10 else f"{n:g}"


def line_chart(labels: list[str], series: dict[str, list[int]], *, title: str, width: int = 720,
               height: int = 240) -> Markup:
    """Lines of several daily series over shared x labels (dates), with axes and a legend."""
    pad_l, pad_r, pad_t, pad_b = 48, 12, 28, 36
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    top = max([1] + [v for values in series.values() for v in values])
    n = max(len(labels), 1)
    step = plot_w / max(n - 1, 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return pad_l + i * step, pad_t + plot_h - (v / top) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - pad_r}" y2="{pad_t + plot_h}" stroke="#999"/>',
             f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{pad_t + plot_h}" stroke="#999"/>',
             f'<text x="{pad_l - 6}" y="{pad_t + 4}" text-anchor="end" font-size="11">{_fmt(top)}</text>',
             f'<text x="{pad_l - 6}" y="{pad_t + plot_h}" text-anchor="end" font-size="11">0</text>']
    every = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            x, _ = xy(i, 0)
            parts.append(f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" font-size="11">{escape(label)}</text>')
    for k, (name, values) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(values)))
        if points:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
            for i, v in enumerate(values):
                x, y = xy(i, v)
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                             f'<title>{escape(labels[i])} {escape(name)}：{v}</title></circle>')
        parts.append(f'<rect x="{pad_l + 10 + k * 110}" y="8" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{pad_l + 24 + k * 110}" y="17" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(rows: list[tuple[str, int]], *, title: str, width: int = 720, bar: int = 20) -> Markup:
    """Horizontal bars with their labels and values (top lists, the funnel, orders by state)."""
    label_w, value_w, gap = 220, 60, 6
    height = max(1, len(rows)) * (bar + gap) + 8
    top = max([1] + [v for _, v in rows])
    plot_w = width - label_w - value_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(rows):
        y = 4 + i * (bar + gap)
        w = plot_w * value / top
        short = label if len(label) <= 16 else label[:15] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + bar - 6}" text-anchor="end" font-size="12">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="{COLOURS[0]}"/>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + bar - 6}" font-size="12">{_fmt(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

"""The step-through as one self-contained HTML page: frames, controls, legend.

Every frame is inline SVG scaled to fill the window (its viewBox kept, width and
height 100 %). For graphs of up to `BOTH_LAYOUTS_UP_TO` frames the page holds each
frame laid out both left to right and top to bottom, and picks whichever shows the
graph larger in the window (a wide screen suits one, a 4:3 projector often the
other); a select overrides the choice. Buttons, a slider, autoplay with a speed
select and the keyboard (arrows, Home/End, space to play or pause) move between
frames, and `page.html#step-4` opens at step 4. Nothing is fetched from the network.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from viz import style
from viz.draw import MAX_SIDE, DotNotFoundError, PictureTooLargeError, pipe
from viz.themes import LEGEND, STATES, Theme, get_theme
from viz.wasm import browser_frames_script

if TYPE_CHECKING:
    import graphviz

    from viz.frames import Step

BOTH_LAYOUTS_UP_TO = 60  # frames; beyond that a page would grow large for little gain
OTHER_LAYOUT = {"LR": "TB", "TB": "LR", "RL": "BT", "BT": "RL"}
LAYOUT_NAMES = {"LR": "left to right", "TB": "top to bottom", "RL": "right to left"}
LAYOUT_NAMES["BT"] = "bottom to top"
SPEEDS = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0)  # seconds per step
DEFAULT_SPEED = 1.5


def frame_sources(steps: Sequence[Step], layouts: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The frames of a step-through as JSON-able data: what a page needs to draw them.

    Each frame is `{"phase": "forward" or "backward", "caption": text, "dots": {layout:
    DOT text}}`, one DOT text per layout (default: the frames' own, e.g. "LR"), without
    the caption, which a page shows as text. The DOT text is what `dot` would be given;
    the step-through page without `dot` and the playground lay it out in the browser.

    Example:
        >>> from engine import Value
        >>> from viz.steps import step_through
        >>> frames = frame_sources(step_through(Value(2.0, "x") * 3), ["LR", "TB"])
        >>> len(frames), frames[0]["phase"], sorted(frames[0]["dots"])
        (3, 'forward', ['LR', 'TB'])
    """
    out = []
    for s in steps:
        own = str(s.graph.graph_attr.get("rankdir", "LR"))
        dots = {layout: _frame_graph(s, layout).source for layout in layouts or [own]}
        out.append({"phase": s.phase, "caption": style.visible(s.caption), "dots": dots})
    return out


def steps_page(steps: Sequence[Step], *, title: str, max_side: int = MAX_SIDE) -> str:
    """The HTML text of the step-through page for `steps`.

    With Graphviz's `dot`, every frame is laid out here (`dot` runs once per frame and
    layout) and the page holds SVG. Without it, the page holds each frame's DOT text and
    the WebAssembly Graphviz of `viz.wasm` (1.3 MB), and lays the frames out in the
    browser when it opens: the same pictures, offline, with the same controls.

    A frame wider or taller than `max_side` pixels would be scaled to the window as an
    unreadable strip: with `dot` it is refused (PictureTooLargeError), and the other
    layout the page can switch to is left out when only that one would be such a strip.
    Without `dot` the size is known only in the browser, which does the same: it leaves
    out such a layout, and shows a one-line message in place of a frame of the first.

    Raises:
        ValueError: if there are no frames.
        PictureTooLargeError: (a ValueError) for a frame larger than `max_side`.
    """
    if not steps:
        raise ValueError("a step-through page needs at least one frame, got none")
    theme = get_theme(steps[0].theme)
    rankdir = str(steps[0].graph.graph_attr.get("rankdir", "LR"))
    layouts = [rankdir]
    if len(steps) <= BOTH_LAYOUTS_UP_TO:
        layouts.append(OTHER_LAYOUT[rankdir])
    sources = frame_sources(steps, layouts)
    try:
        pictures = _laid_out(steps, layouts, max_side)
        drawn_here = ""
    except DotNotFoundError:
        pictures = [{layout: "drawing the graph..." for layout in layouts} for _ in sources]
        drawn_here = browser_frames_script(sources, max_side)
    frames = []
    for k, (source, picture) in enumerate(zip(sources, pictures)):
        divs = "".join(
            f'<div class="layout" data-layout="{layout}"{" hidden" if j else ""}>'
            f"{picture[layout]}</div>"
            for j, layout in enumerate(layouts)
        )
        hidden = "" if k == 0 else " hidden"
        frames.append(
            f'<figure class="frame" id="frame-{k}" data-phase="{source["phase"]}"{hidden}>'
            f'<div class="pic">{divs}</div>'
            f"<figcaption>{html.escape(source['caption'])}</figcaption></figure>"
        )
    options = "".join(
        f'<option value="{layout}">layout: {LAYOUT_NAMES[layout]}</option>' for layout in layouts
    )
    speeds = "".join(
        f'<option value="{v:g}"{" selected" if v == DEFAULT_SPEED else ""}>{v:g} s per step'
        "</option>"
        for v in SPEEDS
    )
    return _PAGE.format(
        title=html.escape(style.visible(title)),
        n=len(steps),
        last=len(steps) - 1,
        frames="\n".join(frames),
        layouts=options,
        speeds=speeds,
        legend=legend_html(theme),
        css=_css(theme),
        drawn_here=drawn_here,
    )


def _frame_graph(step: Step, layout: str) -> graphviz.Digraph:
    """The frame's graph laid out along `layout`, without its caption (the page's text)."""
    graph = step.graph.copy()
    graph.graph_attr.pop("label", None)
    graph.graph_attr["rankdir"] = layout
    return graph


def _laid_out(steps: Sequence[Step], layouts: list[str], max_side: int) -> list[dict[str, str]]:
    """Each frame's SVG per layout, laid out by `dot`; drops the other layout where it
    alone would be too large (and removes it from `layouts`)."""
    pictures: list[dict[str, str]] = []
    for step in steps:
        picture = {}
        for j, layout in enumerate(list(layouts)):
            try:
                picture[layout] = _svg(_frame_graph(step, layout), max_side)
            except PictureTooLargeError:
                if not j:
                    raise
                del layouts[j:]  # the other layout would be a strip: leave it out
                for earlier in pictures:
                    earlier.pop(layout, None)
                break
        pictures.append(picture)
    return pictures


def _svg(graph: graphviz.Digraph, max_side: int) -> str:
    """Graphviz's SVG without its prolog, sized by CSS: width and height 100 %."""
    svg = pipe(graph, "svg", max_side=max_side).decode("utf-8")
    svg = svg[svg.index("<svg") :]
    return re.sub(
        r'<svg width="[^"]*" height="[^"]*"',
        '<svg width="100%" height="100%" preserveAspectRatio="xMidYMid meet"',
        svg,
        count=1,
    )


def legend_html(theme: Theme) -> str:
    """The legend: a swatch per node state (fill, border colour and style) and the leaf,
    then how to read the numbers and edges. Each entry explains itself on hover."""
    looks = {state: theme.states[state] for state in STATES}
    items = []
    for key in ("leaf", *STATES):
        name, meaning = LEGEND[key]
        if key == "leaf":
            swatch = f"background:{theme.background};border:2px solid {theme.text};"
            swatch += "border-radius:.45em"
        else:
            look = looks[key]
            swatch = f"background:{look.fill};border:2px {look.border_style} {look.border}"
        items.append(
            f'<span title="{html.escape(meaning)}"><i class="swatch" style="{swatch}"></i>'
            f"{html.escape(name)}</span>"
        )
    items.append(
        f'<span><b style="color:{theme.data}">data</b> value, '
        f'<b style="color:{theme.grad}">grad</b> gradient, ? not known yet</span>'
    )
    items.append(
        f'<span><b style="color:{theme.data}">&#8594;</b> input read, labelled with its local '
        f'derivative; <b style="color:{theme.grad}">&#8594;</b> gradient &#215; local '
        f"derivative passed back; += gradients adding up</span>"
    )
    return "\n".join(items)


def _css(theme: Theme) -> str:
    return (
        f"body {{ background: {theme.background}; color: {theme.text}; }}\n"
        f"button, select, input {{ color: {theme.text}; background: {theme.background}; "
        f"border: 1px solid {theme.muted}; border-radius: 4px; }}\n"
        f".legend, #phase {{ color: {theme.text}; }}"
    )


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
html, body {{ height: 100%; margin: 0; }}
body {{ display: flex; flex-direction: column; font-family: Helvetica, Arial, sans-serif; }}
header {{ display: flex; flex-wrap: wrap; align-items: center; gap: .3em 1em;
  padding: .4em .8em; }}
h1 {{ font-size: 1.05em; margin: 0; flex: 1 1 18em; overflow-wrap: anywhere; }}
.controls {{ display: flex; flex-wrap: wrap; align-items: center; gap: .35em; flex: 1;
  font-size: .9em; }}
.controls button, .controls select {{ font-size: 1em; padding: .1em .45em; }}
#slider {{ flex: 1; min-width: 6em; max-width: 30em; }}
#counter {{ font-variant-numeric: tabular-nums; }}
main {{ flex: 1 1 auto; min-height: 0; position: relative; }}
.frame {{ position: absolute; inset: 0; margin: 0; display: flex; flex-direction: column; }}
.frame[hidden], .layout[hidden] {{ display: none; }}
.pic {{ flex: 1 1 auto; min-height: 0; padding: 0 .5em; }}
.layout {{ width: 100%; height: 100%; }}
.layout svg {{ display: block; }}
figcaption {{ font-size: clamp(1rem, 1.5vw, 2rem); padding: .3em .8em .4em;
  min-height: 2.6em; }}
.legend {{ display: flex; flex-wrap: wrap; gap: .15em 1.2em;
  font-size: clamp(.75rem, .9vw, 1.2rem); padding: .2em .8em .5em; }}
.swatch {{ display: inline-block; width: 1.6em; height: .9em; margin-right: .35em;
  vertical-align: -.1em; box-sizing: border-box; }}
{css}
</style></head>
<body>
<header>
<h1>{title}</h1>
<div class="controls">
<button id="prev" type="button" title="previous step (left arrow)">&#9664;</button>
<button id="play" type="button" title="play or pause (space)">&#9654; play</button>
<button id="next" type="button" title="next step (right arrow)">&#9654;</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<span id="counter">step 1 of {n}</span> <span id="phase"></span>
<select id="speed" title="speed of play" aria-label="seconds per step">{speeds}</select>
<select id="layout" title="layout of the graph" aria-label="layout">
<option value="auto">layout: auto</option>{layouts}</select>
</div>
</header>
<main>
{frames}
</main>
<footer class="legend">
{legend}
</footer>
{drawn_here}
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var phase = document.getElementById("phase");
  var play = document.getElementById("play");
  var speed = document.getElementById("speed");
  var layout = document.getElementById("layout");
  var current = 0, timer = null;
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach(function (f, j) {{ f.hidden = j !== current; }});
    slider.value = current;
    counter.textContent = "step " + (current + 1) + " of " + frames.length;
    phase.textContent = "(" + frames[current].dataset.phase + " pass)";
    try {{ history.replaceState(null, "", "#step-" + (current + 1)); }} catch (e) {{}}
  }}
  function stop() {{
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.innerHTML = "&#9654; play";
  }}
  function start() {{
    if (current === frames.length - 1) show(0);
    play.innerHTML = "&#10074;&#10074; pause";
    timer = setInterval(function () {{
      if (current === frames.length - 1) stop(); else show(current + 1);
    }}, parseFloat(speed.value) * 1000);
  }}
  function toggle() {{ if (timer === null) start(); else stop(); }}
  // The layout that shows the graph larger in the space the frames have.
  var main = document.querySelector("main");
  function scaleOf(name, box) {{
    var svg = document.querySelector('#frame-0 .layout[data-layout="' + name + '"] svg');
    if (!svg) return 0;  // not drawn (yet, or too large)
    var view = svg.viewBox.baseVal;
    return Math.min(box.width / view.width, (box.height - 60) / view.height);
  }}
  function arrange() {{
    var names = Array.prototype.map.call(
      document.querySelectorAll("#frame-0 .layout"), function (d) {{ return d.dataset.layout; }});
    var chosen = layout.value, box = main.getBoundingClientRect();
    if (chosen === "auto") {{
      if (box.width < 50 || box.height < 100) return;  // not laid out yet (a hidden iframe)
      chosen = names.reduce(function (a, b) {{
        return scaleOf(b, box) > scaleOf(a, box) ? b : a;
      }});
    }}
    document.querySelectorAll(".layout").forEach(function (d) {{
      d.hidden = d.dataset.layout !== chosen;
    }});
  }}
  document.getElementById("prev").onclick = function () {{ stop(); show(current - 1); }};
  document.getElementById("next").onclick = function () {{ stop(); show(current + 1); }};
  play.onclick = toggle;
  speed.onchange = function () {{ if (timer !== null) {{ stop(); start(); }} }};
  layout.onchange = arrange;
  window.addEventListener("resize", arrange);
  window.addEventListener("load", arrange);
  if (window.ResizeObserver) new ResizeObserver(arrange).observe(main);
  slider.oninput = function () {{ stop(); show(parseInt(slider.value, 10)); }};
  document.addEventListener("keydown", function (e) {{
    if (e.target.tagName === "SELECT" || e.target.tagName === "INPUT") {{
      if (e.key !== " ") return;
    }}
    if (e.key === "ArrowLeft") {{ stop(); show(current - 1); }}
    else if (e.key === "ArrowRight") {{ stop(); show(current + 1); }}
    else if (e.key === "Home") {{ stop(); show(0); }}
    else if (e.key === "End") {{ stop(); show(frames.length - 1); }}
    else if (e.key === " ") {{ e.preventDefault(); toggle(); }}
  }});
  var wanted = /^#step-([0-9]+)$/.exec(location.hash);  // a link to one step: page.html#step-4
  show(wanted ? parseInt(wanted[1], 10) - 1 : 0);
  // Without dot the frames are drawn in the browser first (viz/wasm/frames.js).
  Promise.resolve(window.__tracegradFramesReady).then(function () {{
    arrange();
    document.body.dataset.drawn = "yes";
  }});
}})();
</script>
</body></html>
"""

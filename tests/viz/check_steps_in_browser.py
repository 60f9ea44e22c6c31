"""Click through the step-through page in headless Chromium (a check script, not a test).

Usage: .venv/bin/python -m tests.viz.check_steps_in_browser [OUTDIR]   (from the clone)

Needs Chromium (`apt-get install chromium`) and Graphviz. It writes Figure 5's page
(4 forward and 7 backward frames), then a copy with a small script that presses
next/previous, moves the slider, sends arrow and Home/End keys and plays the frames
at the fastest speed, recording which frame is visible after each action; Chromium
runs it (with virtual time, so the autoplay timer fires) and prints the page, from
which the record is read back. It also takes screenshots of a few steps (opened with
`#step-N`) at three window sizes to look at. Exits 1 on a mismatch.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.browser.chromium import FLAGS, INSTALL, find_chromium

CLICKS = """
<script>
(function () {
  function visible() {
    var shown = [];
    document.querySelectorAll(".frame").forEach(function (f, j) { if (!f.hidden) shown.push(j); });
    return shown.join(",") + "|" + document.getElementById("counter").textContent;
  }
  var log = [["load", visible()]];
  function press(id) { document.getElementById(id).click(); log.push([id, visible()]); }
  function key(name) {
    document.dispatchEvent(new KeyboardEvent("keydown", {key: name}));
    log.push([name, visible()]);
  }
  for (var k = 0; k < 11; k++) press("next");   // one press past the end: stays on the last
  press("prev"); press("prev");
  var slider = document.getElementById("slider");
  slider.value = 2; slider.dispatchEvent(new Event("input")); log.push(["slider=2", visible()]);
  key("ArrowLeft"); key("ArrowRight"); key("End"); key("Home");
  document.getElementById("speed").value = "0.5";
  press("play");                                 // from step 1: two steps in 1.2 s
  setTimeout(function () {
    log.push(["after 1.2 s", visible()]);
    press("play");                               // pause
    var out = document.createElement("pre");
    out.id = "check-result";
    out.textContent = JSON.stringify(log);
    document.body.appendChild(out);
  }, 1200);
})();
</script>
"""

EXPECTED = [
    ("load", 0),
    *[("next", k) for k in (*range(1, 11), 10)],
    ("prev", 9),
    ("prev", 8),
    ("slider=2", 2),
    ("ArrowLeft", 1),
    ("ArrowRight", 2),
    ("End", 10),
    ("Home", 0),
    ("play", 0),
    ("after 1.2 s", 2),
    ("play", 2),
]
N_FRAMES = 11
SIZES = ((1024, 768), (1920, 1080), (800, 600))


def chromium() -> str:
    found = find_chromium()
    if found is None:
        sys.exit(f"no Chromium found: install it with `{INSTALL}`")
    return found


def headless(browser: str, *args: str) -> str:
    command = [browser, *FLAGS, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def main() -> int:
    from viz.cli.demo import figure5
    from viz.steps import save_steps_html, step_through

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    page = save_steps_html(step_through(figure5()), out / "figure5_steps.html")
    harness = out / "figure5_steps_clicked.html"
    harness.write_text(page.read_text().replace("</body>", CLICKS + "</body>"))

    dom = headless(browser, "--virtual-time-budget=5000", "--dump-dom", harness.resolve().as_uri())
    found = re.search(r'<pre id="check-result">(.*?)</pre>', dom, flags=re.S)
    if not found:
        print("the click script left no result: did the page's script fail?")
        return 1
    log = json.loads(found.group(1).replace("&quot;", '"'))
    ok = True
    for (action, state), (want_action, want_frame) in zip(log, EXPECTED, strict=True):
        frames, counter = state.split("|")
        good = action == want_action and frames == str(want_frame)
        good = good and counter == f"step {want_frame + 1} of {N_FRAMES}"
        ok = ok and good
        print(f"{'ok ' if good else 'BAD'} {action:<11} visible frame {frames:<3} {counter!r}")

    for width, height in SIZES:
        for step in (1, 5, 8):  # the first forward step, the root, where gradients add up
            shot = out / f"screenshot_{width}x{height}_step{step}.png"
            headless(
                browser,
                f"--screenshot={shot.resolve()}",
                f"--window-size={width},{height}",
                "--hide-scrollbars",
                page.resolve().as_uri() + f"#step-{step}",
            )
            print(f"screenshot of step {step} at {width}x{height}: {shot}")
    print("all clicks behaved" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

// The tracegrad playground: the page's side. Python (Pyodide) does the maths through
// viz.playground.session; this file only moves text and numbers between the page and
// it, draws the DOT text with Graphviz in WebAssembly (viz-global.js) and paints the
// training plots on canvases. Every error ends up in one line in #error.

window.tracegradStarted = true; // index.html's fallback message stays away
const config = JSON.parse(document.getElementById("config").textContent);
const $ = (id) => document.getElementById(id);
const FIGURE_5 = { expr: "h = x + y; i = x * y; f = (h + i) * z", x: "2", y: "3", z: "4" };
const CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];
const REGION_SHARE = 0.3; // how much of a class colour tints its region (viz/themes.py)
const GRID = 60; // grid points per axis where the network's class is computed

let pyodide = null;
let session = null;
let viz = null;
let frames = [];
let frameSvgs = [];
let step = 0;
let training = null;

// --- errors and status ----------------------------------------------------------------

function oneLine(message) {
  // A Python error arrives with its traceback: its last line says what went wrong,
  // after the exception's class ("ValueError: ..."), which the page leaves out.
  const lines = String(message).split("\n").map((l) => l.trim()).filter(Boolean);
  const last = lines.length ? lines[lines.length - 1] : "unknown error";
  return last.replace(/^(?:[A-Za-z_][\w.]*)?(?:Error|Exception): /, "");
}

function showError(message) {
  const bar = $("error");
  bar.textContent = "Error: " + oneLine(message);
  bar.title = bar.textContent;
  bar.hidden = false;
  document.body.dataset.error = "yes";
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
  delete document.body.dataset.error;
}

function setStatus(text) {
  $("status").textContent = text;
}

window.addEventListener("error", (e) => showError(e.message || e.error || "script error"));
window.addEventListener("unhandledrejection", (e) =>
  showError((e.reason && e.reason.message) || e.reason),
);

// --- Python -----------------------------------------------------------------------------

function toJs(proxy) {
  // A Python dict or list as plain JavaScript objects, the proxy released.
  try {
    return proxy.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  } finally {
    proxy.destroy();
  }
}

async function startPython() {
  const base = new URL(config.pyodide, location.href).href;
  let loader;
  try {
    loader = await import(base + "pyodide.mjs");
  } catch (e) {
    const how = location.protocol === "file:" ? "; serve this folder over http, as in "
      + "`python -m http.server -d site`, rather than opening the file" : "";
    throw new Error(`could not load Pyodide from ${base} (${e.message})${how}`);
  }
  const started = performance.now();
  pyodide = await loader.loadPyodide({ indexURL: base });
  for (const name of config.wheels) {
    const response = await fetch(name);
    if (!response.ok) throw new Error(`could not fetch ${name}: HTTP ${response.status}`);
    pyodide.FS.writeFile("/tmp/" + name, new Uint8Array(await response.arrayBuffer()));
  }
  pyodide.globals.set("_wheels", pyodide.toPy(config.wheels));
  pyodide.runPython(
    "import sysconfig, zipfile\n" +
    "for _w in _wheels:\n" +
    "    zipfile.ZipFile('/tmp/' + _w).extractall(sysconfig.get_paths()['purelib'])\n" +
    "del _w, _wheels",
  );
  session = pyodide.pyimport("viz.playground.session");
  window.tracegradTimings = { python: performance.now() - started };
  // For benchmarks/playground.py and the curious, in the browser's console.
  window.tracegradPlayground = { pyodide, session };
  $("version").textContent = String(pyodide.runPython(
    "import importlib.metadata as m; m.version('tracegrad')"));
}

// --- the expression ---------------------------------------------------------------------

function readAddress() {
  const params = new URLSearchParams(location.search);
  if (!params.has("expr")) return { ...FIGURE_5 };
  const example = { expr: params.get("expr") };
  for (const [name, value] of params) if (name !== "expr") example[name] = value;
  return example;
}

function currentValues() {
  const values = {};
  for (const field of $("inputs").querySelectorAll("input")) values[field.name] = field.value;
  return values;
}

function showInputs(names, values) {
  const box = $("inputs");
  const old = currentValues();
  box.replaceChildren();
  for (const name of names) {
    const label = document.createElement("label");
    const field = document.createElement("input");
    field.name = name;
    field.id = "input-" + name;
    field.value = values[name] ?? old[name] ?? "1";
    field.inputMode = "decimal";
    field.addEventListener("change", compute);
    label.append(name + " = ", field);
    box.append(label);
  }
}

function exampleLink(expr, values) {
  const params = new URLSearchParams({ expr, ...values });
  return location.pathname + "?" + params.toString();
}

async function compute(event) {
  if (event) event.preventDefault();
  if (!session) return;
  const expr = $("expr").value;
  const values = currentValues();
  const given = pyodide.toPy(values);
  let result;
  try {
    result = toJs(session.explain(expr, given));
  } finally {
    given.destroy();
  }
  const panels = ["graph-panel", "steps-panel", "code-panel"].map($);
  if (!result.ok) {
    if (result.inputs.length) showInputs(result.inputs, values);
    $("result").className = "failed";
    $("result").textContent = "Error: " + oneLine(result.error);
    for (const panel of panels) panel.classList.add("stale");
    document.body.dataset.state = "error";
    return;
  }
  for (const panel of panels) panel.classList.remove("stale");
  $("result").className = "";
  clearError();
  const names = result.inputs.map((i) => i.name);
  if (names.join() !== Object.keys(values).join()) {
    showInputs(names, result.values);
  }
  const link = exampleLink(expr, result.values);
  history.replaceState(null, "", link);
  $("link").href = link;
  showResult(expr, result);
  $("graph").replaceChildren(render(result.dot));
  frames = result.steps;
  frameSvgs = new Array(frames.length);
  $("slider").max = String(frames.length - 1);
  showStep(0);
  $("code").textContent = result.code;
  document.body.dataset.state = "ready";
}

function showResult(expr, result) {
  const box = $("result");
  box.replaceChildren();
  const root = expr.split(";").pop().split("=")[0].trim();
  const name = /^[A-Za-z_]\w*$/.test(root) && expr.split(";").pop().includes("=") ? root : "f";
  const value = document.createElement("span");
  value.className = "data";
  value.id = "value";
  value.textContent = `${name} = ${format(result.value)}`;
  box.append(value, "   ");
  for (const input of result.inputs) {
    const grad = document.createElement("span");
    grad.className = "grad";
    grad.dataset.name = input.name;
    grad.textContent = `d${name}/d${input.name} = ${format(input.grad)}`;
    box.append(grad, "   ");
  }
}

function format(x) {
  return Number.isInteger(x) && Math.abs(x) < 1e15 ? String(x) : x.toPrecision(6);
}

const NARROWEST = 600; // px: a graph is shrunk to the page's width down to this, no further

function render(dot) {
  try {
    const svg = viz.renderSVGElement(dot);
    svg.style.minWidth = Math.min(svg.width.baseVal.value, NARROWEST) + "px";
    return svg;
  } catch (e) {
    throw new Error("Graphviz could not draw the graph: " + (e.message || e));
  }
}

// --- stepping ---------------------------------------------------------------------------

function showStep(k) {
  if (!frames.length) return;
  step = Math.max(0, Math.min(frames.length - 1, k));
  if (!frameSvgs[step]) frameSvgs[step] = render(frames[step].dot);
  $("step-graph").replaceChildren(frameSvgs[step]);
  $("caption").textContent = frames[step].caption;
  $("counter").textContent = `step ${step + 1} of ${frames.length} (${frames[step].phase})`;
  $("slider").value = String(step);
  $("slider").disabled = frames.length < 2;
  $("first").disabled = $("prev").disabled = step === 0;
  $("last").disabled = $("next").disabled = step === frames.length - 1;
}

function wireSteps() {
  $("first").addEventListener("click", () => showStep(0));
  $("prev").addEventListener("click", () => showStep(step - 1));
  $("next").addEventListener("click", () => showStep(step + 1));
  $("last").addEventListener("click", () => showStep(frames.length - 1));
  $("slider").addEventListener("input", () => showStep(Number($("slider").value)));
  document.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const moves = { ArrowLeft: step - 1, ArrowRight: step + 1, Home: 0, End: frames.length - 1 };
    if (e.key in moves) {
      showStep(moves[e.key]);
      e.preventDefault();
    }
  });
}

// --- training ---------------------------------------------------------------------------

function tint(color, share) {
  const c = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
  return `rgb(${c.map((v) => Math.round(255 + (v - 255) * share)).join(",")})`;
}

function drawRegions(canvas, regions, data) {
  const [x0, x1, y0, y1] = regions.bounds;
  const n = regions.n;
  const w = canvas.width;
  const h = canvas.height;
  // One pixel per grid point, scaled up with smoothing: borders blend over a cell
  // instead of showing the grid's staircase.
  const small = document.createElement("canvas");
  small.width = small.height = n;
  const s = small.getContext("2d");
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      s.fillStyle = tint(CLASS_COLORS[regions.classes[j][i] % CLASS_COLORS.length], REGION_SHARE);
      s.fillRect(i, n - 1 - j, 1, 1); // row j counts from the bottom, canvas rows from the top
    }
  }
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, w, h);
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = "high";
  g.drawImage(small, 0, 0, w, h);
  const px = (x) => ((x - x0) / (x1 - x0)) * w;
  const py = (y) => h - ((y - y0) / (y1 - y0)) * h;
  data.X.forEach(([x, y], k) => marker(g, data.y[k], px(x), py(y)));
}

function marker(g, cls, x, y) {
  // The markers of viz/plots.py: class 0 a circle, 1 a square, 2 a triangle.
  g.fillStyle = CLASS_COLORS[cls % CLASS_COLORS.length];
  g.strokeStyle = "#1F2328";
  g.lineWidth = 0.8;
  g.beginPath();
  if (cls === 0) g.arc(x, y, 4.5, 0, 2 * Math.PI);
  else if (cls === 1) g.rect(x - 4, y - 4, 8, 8);
  else { g.moveTo(x, y - 5.5); g.lineTo(x + 5, y + 4); g.lineTo(x - 5, y + 4); g.closePath(); }
  g.fill();
  g.stroke();
}

function drawLoss(canvas, losses) {
  const g = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  const left = 48;
  const bottom = h - 28;
  g.clearRect(0, 0, w, h);
  g.fillStyle = "#1F2328";
  g.font = "13px Helvetica, Arial, sans-serif";
  g.fillText("loss per epoch", left, 16);
  const top = Math.max(...losses, 1e-9);
  g.strokeStyle = "#6E7781";
  g.beginPath();
  g.moveTo(left, 24);
  g.lineTo(left, bottom);
  g.lineTo(w - 8, bottom);
  g.stroke();
  g.fillText(top.toPrecision(2), 4, 30);
  g.fillText("0", 30, bottom);
  g.fillText(String(losses.length), w - 40, h - 8);
  g.strokeStyle = "#0072B2";
  g.lineWidth = 2;
  g.beginPath();
  losses.forEach((loss, k) => {
    const x = left + ((w - 8 - left) * (k + 1)) / Math.max(losses.length, 1);
    const y = bottom - ((bottom - 24) * loss) / top;
    if (k === 0) g.moveTo(x, y);
    else g.lineTo(x, y);
  });
  g.stroke();
  g.lineWidth = 1;
}

function newTrainer() {
  // Python's ValueError for an argument out of range arrives as a PythonError.
  return session.Training.callKwargs({
    dataset: $("dataset").value,
    samples: 120,
    hidden: $("hidden").value,
    activation: $("activation").value,
    lr: Number($("lr").value),
    seed: Number($("seed").value),
  });
}

function preview() {
  // The data and the untrained network's regions, before Train is pressed.
  if (training) return;
  const trainer = newTrainer();
  try {
    drawRegions($("regions"), toJs(trainer.regions(GRID)), toJs(trainer.points()));
    $("loss").getContext("2d").clearRect(0, 0, $("loss").width, $("loss").height);
    $("train-status").className = "";
    $("train-status").textContent = "The untrained network's regions; press Train (Adam, full "
      + "batch, cross-entropy).";
  } finally {
    trainer.destroy();
  }
}

function trainingFailed(error) {
  $("train-status").className = "failed";
  $("train-status").textContent = "Error: " + oneLine(error.message || error);
  document.body.dataset.training = "failed";
}

function pause() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function train(event) {
  event.preventDefault();
  if (training) return;
  const epochs = Number($("epochs").value);
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 5000)) {
    throw new Error(`epochs: expected a whole number from 1 to 5000, got ${$("epochs").value}`);
  }
  const trainer = newTrainer();
  $("train-status").className = "";
  training = { stop: false };
  $("train").disabled = true;
  $("stop").disabled = false;
  document.body.dataset.training = "running";
  try {
    const data = toJs(trainer.points());
    drawRegions($("regions"), toJs(trainer.regions(GRID)), data);
    let done = 0;
    let report = null;
    while (done < epochs && !training.stop) {
      const chunk = Math.min(5, epochs - done);
      report = toJs(trainer.run(chunk));
      done += chunk;
      drawLoss($("loss"), report.losses);
      if (done % 20 === 0 || done === epochs) {
        drawRegions($("regions"), toJs(trainer.regions(GRID)), data);
      }
      $("train-status").textContent = `epoch ${report.epoch}: loss ${report.loss.toFixed(4)}, `
        + `accuracy ${report.accuracy.toFixed(3)} (first loss ${report.losses[0].toFixed(4)})`;
      $("train-status").dataset.first = String(report.losses[0]);
      $("train-status").dataset.last = String(report.loss);
      await pause();
    }
    drawRegions($("regions"), toJs(trainer.regions(GRID)), data);
    document.body.dataset.training = "done";
  } finally {
    trainer.destroy();
    training = null;
    $("train").disabled = false;
    $("stop").disabled = true;
  }
}

// --- start ------------------------------------------------------------------------------

async function main() {
  wireSteps();
  const example = readAddress();
  $("expr").value = example.expr;
  const values = { ...example };
  delete values.expr;
  showInputs(Object.keys(values), values);
  if (typeof window.Viz === "undefined") throw new Error("viz-global.js did not load");
  viz = await window.Viz.instance();
  await startPython();
  $("functions").textContent = String(pyodide.runPython(
    "from viz.cli.expr import FUNCTIONS; ', '.join(sorted(FUNCTIONS))"));
  for (const id of ["expr", "compute", "train"]) $(id).disabled = false;
  $("expr-form").addEventListener("submit", (e) => compute(e).catch((err) => showError(err.message)));
  $("train-form").addEventListener("submit", (e) => train(e).catch(trainingFailed));
  for (const id of ["dataset", "hidden", "activation", "seed"]) {
    $(id).addEventListener("change", () => { try { preview(); } catch (err) { trainingFailed(err); } });
  }
  $("stop").addEventListener("click", () => { if (training) training.stop = true; });
  setStatus(`Python ${pyodide.runPython("import sys; sys.version.split()[0]")} is running `
    + `in this page (Pyodide ${pyodide.version}), ready in `
    + `${(window.tracegradTimings.python / 1000).toFixed(1)} s.`);
  await compute();
  window.tracegradTimings.ready = performance.now(); // since the page was requested
  try {
    preview();
  } catch (err) {
    trainingFailed(err);
  }
}

main().catch((e) => {
  setStatus("The playground could not start.");
  document.body.dataset.state = "failed";
  showError(e.message || e);
});

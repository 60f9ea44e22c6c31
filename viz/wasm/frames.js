// Lays out a step-through page's frames in the browser, where `dot` was missing when the
// page was made (viz/page.py). The page holds each frame's DOT text per layout, in the
// JSON block #tracegrad-frames: {"maxSide": pixels, "frames": [{"dots": {layout: DOT}}]}.
// Each .layout box of each frame gets its SVG from the WebAssembly Graphviz (viz-global.js,
// loaded before this script as window.__tracegradViz), sized as the page sizes SVG made
// by `dot`. A layout whose frame would be wider or taller than maxSide pixels is dropped
// when it is the alternative; in the first layout the frame says so in one line instead.
// window.__tracegradFramesReady is a promise the page's own script waits for.
window.__tracegradFramesReady = (function () {
  var data = JSON.parse(document.getElementById("tracegrad-frames").textContent);
  function fail(box, text) {
    box.textContent = "tracegrad: " + text;
    box.className += " failed";
  }
  function tooLarge(svg) {
    var view = svg.viewBox.baseVal; // Graphviz's points; pixels at 96 dpi are 4/3 of them
    var side = Math.round(Math.max(view.width, view.height) * 96 / 72);
    return side > data.maxSide ? side : 0;
  }
  return window.__tracegradViz.instance().then(function (viz) {
    var frames = document.querySelectorAll(".frame");
    var dropped = {};
    data.frames.forEach(function (frame, k) {
      frames[k].querySelectorAll(".layout").forEach(function (box, j) {
        var name = box.dataset.layout;
        var svg;
        try {
          svg = viz.renderSVGElement(frame.dots[name]);
        } catch (e) {
          fail(box, "the graph could not be drawn in the browser: " + (e.message || e));
          return;
        }
        var side = tooLarge(svg);
        if (side && j > 0) {
          dropped[name] = true;
        } else if (side) {
          fail(box, "this frame would be " + side + " pixels long, more than the " +
            data.maxSide + " a side may have (max_side): draw fewer nodes");
        } else {
          svg.setAttribute("width", "100%");
          svg.setAttribute("height", "100%");
          svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
          box.replaceChildren(svg);
        }
      });
    });
    Object.keys(dropped).forEach(function (name) {
      document.querySelectorAll('.layout[data-layout="' + name + '"]').forEach(function (d) {
        d.remove();
      });
      var option = document.querySelector('#layout option[value="' + name + '"]');
      if (option) option.remove();
    });
  }).catch(function (e) {
    document.querySelectorAll(".layout").forEach(function (box) {
      fail(box, "the graphs could not be drawn in the browser: " + (e.message || e));
    });
  });
})();

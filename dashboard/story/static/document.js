/* A story document: draws its figures with plotly.js, and presents one slide at a time
   (arrow keys, Page Up / Page Down as clickers send them, Home / End, F, N, W, Esc). On the
   server's live pages a slide may come later: a section with data-src is fetched when it is
   needed ({html, figures}), so the first slide shows at once. */
(function () {
  "use strict";
  var figures = JSON.parse(document.getElementById("story-figures").textContent);
  var config = JSON.parse(document.getElementById("story-config").textContent);
  var body = document.body;
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var counter = document.querySelector(".counter");
  var current = 0;

  var presenter = null;  // the presenter window (W): this slide's note, the next slide, a clock

  function slideTitle(index) {
    var heading = slides[index] && slides[index].querySelector("h2");
    return heading ? heading.textContent : "";
  }

  function updatePresenter() {
    if (!presenter || presenter.closed) { return; }
    var doc = presenter.document;
    var note = slides[current].querySelector(".note");
    doc.getElementById("position").textContent = (current + 1) + " / " + slides.length;
    doc.getElementById("title").textContent = slideTitle(current);
    doc.getElementById("note").textContent = note ? note.innerText : "(no note)";
    doc.getElementById("next").textContent = current + 1 < slides.length
      ? "Next: " + slideTitle(current + 1) : "Last slide";
  }

  function openPresenter() {
    presenter = window.open("", "story-presenter", "width=720,height=480");
    if (!presenter) { return; }
    var doc = presenter.document;
    doc.open();
    doc.write('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
      "<title>Presenter notes</title><style>body{font:20px/1.5 system-ui,sans-serif;" +
      "margin:1.5rem;color:#1b1f24;background:#fff}#title{font-size:1.6rem;margin:.2rem 0}" +
      "#note{white-space:pre-wrap;font-size:1.4rem}#position,#next,#clock{color:#4a5360}" +
      '</style></head><body><p id="position"></p><h1 id="title"></h1><div id="note"></div>' +
      '<p id="next"></p><p id="clock"></p></body></html>');
    doc.close();
    doc.addEventListener("keydown", onKey);
    var started = Date.now();
    presenter.setInterval(function () {
      var seconds = Math.floor((Date.now() - started) / 1000);
      var clock = presenter.document.getElementById("clock");
      if (clock) {
        clock.textContent = "Presenting for " + Math.floor(seconds / 60) + " min " +
                            (seconds % 60) + " s";
      }
    }, 1000);
    updatePresenter();
  }

  function presenting() { return body.getAttribute("data-mode") === "present"; }

  function draw(div) {
    var index = Number(div.getAttribute("data-figure"));
    var figure = figures[index];
    // A slide hidden meanwhile (keys pressed while it was fetched) is drawn when shown.
    if (!figure || !window.Plotly || div.offsetParent === null) { return; }
    var layout = Object.assign({}, figure.layout || {});
    if (!div.hasAttribute("data-height")) {
      div.setAttribute("data-height", String(layout.height || 360));
    }
    delete layout.width;
    layout.autosize = true;
    layout.height = presenting() ? Math.max(div.clientHeight, 160)
                                 : Number(div.getAttribute("data-height"));
    if (div.getAttribute("data-drawn") === "1") {
      window.Plotly.relayout(div, {height: layout.height, width: div.clientWidth});
      return;
    }
    div.setAttribute("data-drawn", "1");
    window.Plotly.newPlot(div, figure.data || [], layout, config);
  }

  function load(slide) {
    var src = slide.getAttribute("data-src");
    if (!src) { return Promise.resolve(); }
    if (!slide.loading) {
      slide.loading = fetch(src, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        var base = figures.length;
        figures = figures.concat(data.figures);
        slide.innerHTML = data.html;
        slide.removeAttribute("data-src");
        Array.prototype.forEach.call(slide.querySelectorAll(".plot"), function (plot) {
          plot.setAttribute("data-figure", String(base + Number(plot.getAttribute("data-figure"))));
        });
        var heading = slide.querySelector("h2");
        if (heading) {
          slide.setAttribute("aria-label", "Slide " + slide.getAttribute("data-slide") + " of " +
                             slides.length + ": " + heading.textContent);
        }
      }).catch(function (error) {
        slide.loading = null;
        var line = slide.querySelector(".pending");
        if (line) {
          line.textContent = "This slide could not be drawn (" + error.message +
                             "): reload the page to try again.";
        }
      });
    }
    return slide.loading;
  }

  function drawSlide(slide) {
    return load(slide).then(function () {
      Array.prototype.forEach.call(slide.querySelectorAll(".plot"), draw);
    });
  }

  function drawAll() {
    return slides.reduce(function (previous, slide) {
      return previous.then(function () { return drawSlide(slide); });
    }, Promise.resolve());
  }

  function show(index, focus) {
    if (!slides.length) { return; }
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) { slide.classList.toggle("current", i === current); });
    counter.textContent = (current + 1) + " / " + slides.length;
    if (presenting()) {
      drawSlide(slides[current]).then(function () {
        if (current + 1 < slides.length) { load(slides[current + 1]); }
        updatePresenter();
      });
      updatePresenter();
      if (focus) { slides[current].focus({preventScroll: true}); }
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#slide-" + (current + 1));
      }
    }
  }

  function setMode(mode) {
    body.setAttribute("data-mode", mode);
    if (mode === "present") {
      show(current, true);
    } else {
      drawAll();
      slides[current].scrollIntoView();
    }
  }

  function fullScreen() {
    var root = document.documentElement;
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (root.requestFullscreen) { root.requestFullscreen().catch(function () {}); }
  }

  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (!presenting()) {
      if (key === "p" || key === "P") { setMode("present"); event.preventDefault(); }
      return;
    }
    var moves = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1,
                 ArrowLeft: -1, ArrowUp: -1, PageUp: -1};
    if (key in moves) { show(current + moves[key], true); }
    else if (key === "Home") { show(0, true); }
    else if (key === "End") { show(slides.length - 1, true); }
    else if (key === "f" || key === "F") { fullScreen(); }
    else if (key === "n" || key === "N") { body.classList.toggle("notes-hidden"); }
    else if (key === "w" || key === "W") { openPresenter(); }
    else if (key === "Escape") { setMode("document"); }
    else { return; }
    event.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  Array.prototype.forEach.call(document.querySelectorAll('[data-action="present"]'),
    function (button) {
      button.addEventListener("click", function () { setMode("present"); fullScreen(); });
    });

  window.addEventListener("resize", function () {
    if (presenting() && slides.length) { drawSlide(slides[current]); }
  });
  window.addEventListener("beforeprint", function () {
    slides.forEach(function (slide) {
      Array.prototype.forEach.call(slide.querySelectorAll(".plot"), draw);
    });
  });

  var match = /^#slide-(\d+)$/.exec(window.location.hash);
  current = match ? Number(match[1]) - 1 : 0;
  if (presenting()) { show(current, true); } else { drawAll(); show(current); }
}());

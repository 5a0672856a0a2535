// planpress serve: reloads the page when the site is rebuilt, and shows build errors over
// the page until they are fixed. Injected only by `planpress serve`, never written to the
// built site. Builds DOM with textContent only: error text is never parsed as HTML.
(function () {
  "use strict";
  var overlay = null;
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function show(message) {
    hide();
    overlay = document.createElement("div");
    overlay.className = "planpress-overlay";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-modal", "false");
    overlay.setAttribute("aria-labelledby", "planpress-overlay-title");
    var box = document.createElement("div");
    box.className = "planpress-overlay-box";
    var h = document.createElement("h2");
    h.id = "planpress-overlay-title";
    h.textContent = "サイトを組み立てられませんでした";
    var p = document.createElement("p");
    p.textContent = "次の誤りを直して保存すると、自動で表示し直します。表示中のページは前回の正しい内容です。";
    var pre = document.createElement("pre");
    pre.className = "planpress-overlay-message";
    pre.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "閉じる";
    close.addEventListener("click", hide);
    box.append(h, p, pre, close);
    overlay.append(box);
    document.body.append(overlay);
    close.focus();
  }
  // The build this page comes from (the server puts it in this script's URL).
  var script = document.currentScript;
  var built = script ? new URL(script.src).searchParams.get("build") : null;
  var source = new EventSource("/__planpress/events");
  // The server's build when the stream connects: a newer one means this page missed a
  // reload (it was loading while the site was rebuilt).
  source.addEventListener("hello", function (e) {
    try {
      if (built !== null && String(JSON.parse(e.data).build) !== built) location.reload();
    } catch (err) { /* an older server: no build numbers */ }
  });
  var opened = false;
  source.addEventListener("open", function () {
    // After the server restarts, reload once so the page is current.
    if (opened) location.reload();
    opened = true;
  });
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("build-error", function (e) {
    try { show(JSON.parse(e.data).message); } catch (err) { show(String(e.data)); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") hide();
  });
})();

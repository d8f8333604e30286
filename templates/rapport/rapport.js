/* Behaviour of the HTML report (inlined; no external scripts): filter the rule table, and open the
   drill-down that holds the element an anchor link points at. */
(function () {
  "use strict";
  var tekst = document.getElementById("filter-tekst");
  var oordeel = document.getElementById("filter-oordeel");
  var rijen = Array.prototype.slice.call(document.querySelectorAll("#regeltabel tbody tr"));
  var teller = document.getElementById("zichtbaar");

  function filter() {
    var q = (tekst.value || "").toLowerCase();
    var o = oordeel.value;
    var zichtbaar = 0;
    rijen.forEach(function (tr) {
      var past = (!q || tr.textContent.toLowerCase().indexOf(q) >= 0) && (!o || tr.getAttribute("data-oordeel") === o);
      tr.classList.toggle("verborgen", !past);
      if (past) { zichtbaar += 1; }
    });
    teller.textContent = zichtbaar + " van " + rijen.length + " regels zichtbaar";
  }

  function openDoel() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var el = document.getElementById(id);
    if (!el) { return; }
    if (el.classList && el.classList.contains("regel") && el.classList.contains("verborgen")) {
      tekst.value = ""; oordeel.value = ""; filter();
    }
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") { p.open = true; }
    }
    el.scrollIntoView({block: "center"});
  }

  // ?focus=ID shows only that element (a diagram, a deviation, a message): a link to share or print
  function focus(id) {
    var el = document.getElementById(id);
    if (!el) { return false; }
    document.body.classList.add("focusmodus");
    for (var p = el; p && p !== document.body; p = p.parentElement) {
      if (p.tagName === "DETAILS") { p.open = true; }
      Array.prototype.forEach.call(p.parentElement.children, function (s) {
        if (s !== p && s.tagName !== "SCRIPT" && s.tagName !== "HEADER" && s.tagName !== "SUMMARY") {
          s.style.display = "none";
        }
      });
    }
    return true;
  }

  tekst.addEventListener("input", filter);
  oordeel.addEventListener("change", filter);
  window.addEventListener("hashchange", openDoel);
  filter();
  var gevraagd = new URLSearchParams(window.location.search).get("focus");
  if (!(gevraagd && focus(gevraagd))) { openDoel(); }
  var afw = document.querySelectorAll("#afwijkingen tr.afwijking").length;
  document.getElementById("js-status").textContent =
    "Interactief: " + rijen.length + " regels (filter hieronder), " + afw + " afwijkingen; klik een regel, cliënt of bericht om erheen te gaan.";
})();

// Filters of report.html (timeline report): by event type, by country of the place, and a text search.
// They only hide and show the rows the page already holds; the filter is kept in the address
// (report.html#type=ASSAULT&country=UA&q=kharkiv), so a filtered view can be bookmarked or shared.
(function () {
  "use strict";
  var type = document.getElementById("f-type");
  var country = document.getElementById("f-country");
  var search = document.getElementById("f-q");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("article.event"));
  var days = Array.prototype.slice.call(document.querySelectorAll("section.day"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function matches(i, t, c, words) {
    var row = rows[i];
    return (!t || row.getAttribute("data-type") === t) &&
           (!c || row.getAttribute("data-country") === c) &&
           words.every(function (w) { return texts[i].indexOf(w) !== -1; });
  }

  function remember(t, c, q) {
    var params = new URLSearchParams();
    if (t) { params.set("type", t); }
    if (c) { params.set("country", c); }
    if (q) { params.set("q", q); }
    var hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (e) { /* some browsers refuse history changes on file:// pages; the filter still works */ }
  }

  function apply() {
    var t = type.value, c = country.value, q = search.value.trim();
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    var n = 0;
    rows.forEach(function (row, i) {
      var ok = matches(i, t, c, words);
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    days.forEach(function (day) {
      day.hidden = !day.querySelector("article.event:not([hidden])");
    });
    shown.textContent = n + " of " + rows.length + " events";
    remember(t, c, q);
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function restore() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var t = params.get("type") || "", c = params.get("country") || "";
    type.value = hasOption(type, t) ? t : "";
    country.value = hasOption(country, c) ? c : "";
    search.value = params.get("q") || "";
  }

  document.getElementById("f-reset").addEventListener("click", function () {
    type.value = ""; country.value = ""; search.value = ""; apply();
  });
  type.addEventListener("change", apply);
  country.addEventListener("change", apply);
  search.addEventListener("input", apply);
  window.addEventListener("hashchange", function () { restore(); apply(); });
  restore();
  apply();
})();

/* Forms: after a refused submit the focus goes to the error summary; lists of rows
   (inventors, owners, deadlines, follow-ups) get "add a row" and "remove" buttons.
   Served from 'self' (the CSP allows no inline script); without it the forms still work
   with their spare rows. */
(function () {
  "use strict";

  // After a submit the focus goes to what answers it: the error summary, else the first field
  // in error, else the flashed message (never left on BODY).
  function focusSummary() {
    var target = document.querySelector(".error-summary") ||
      document.querySelector("main [aria-invalid=true]") ||
      document.querySelector("main .flash[data-flash]");
    if (target) { target.focus(); }
  }

  // The header menu collapses behind its button on a narrow screen (css/app.css); the button
  // only shows once this script runs, so without it the menu stays open.
  function menu() {
    var button = document.querySelector(".menu-toggle");
    if (!button) { return; }
    var narrow = window.matchMedia("(max-width: 700px)");
    function set(open) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
    button.hidden = false;
    set(!narrow.matches);
    narrow.addEventListener("change", function () { set(!narrow.matches); });
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
  }

  // On a narrow screen a table's rows stack; each cell is labelled with its column's heading.
  function labelCells() {
    document.querySelectorAll("table").forEach(function (table) {
      var heads = table.querySelectorAll("thead tr:first-child th");
      if (!heads.length) { return; }
      var names = [];
      heads.forEach(function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) { names.push(th.textContent.trim()); }
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (names[col] && cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[col]);
          }
          col += cell.colSpan || 1;
        });
      });
    });
  }

  function renumber(row, index) {
    row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/-\d+-/, "-" + index + "-")); }
      });
    });
  }

  function clear(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else { el.value = ""; }
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
  }

  function removeButton(fieldset, row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link remove-row";
    button.textContent = fieldset.dataset.removeLabel || "−";
    button.addEventListener("click", function () {
      var rows = fieldset.querySelectorAll(".row");
      if (rows.length > 1) { row.remove(); } else { clear(row); }
    });
    if (row.tagName === "TR") {
      var cell = document.createElement("td");
      cell.appendChild(button);
      row.appendChild(cell);
    } else {
      row.appendChild(button);
    }
  }

  function rows(fieldset) {
    fieldset.querySelectorAll(".row").forEach(function (row) { removeButton(fieldset, row); });
    var add = document.createElement("button");
    add.type = "button";
    add.className = "add-row";
    add.textContent = fieldset.dataset.addLabel || "+";
    add.addEventListener("click", function () {
      var all = fieldset.querySelectorAll(".row");
      var max = parseInt(fieldset.dataset.max || "50", 10);
      if (!all.length || all.length >= max) { return; }
      var last = all[all.length - 1];
      var next = 0;
      fieldset.querySelectorAll("[name]").forEach(function (el) {
        var m = /-(\d+)-/.exec(el.getAttribute("name"));
        if (m) { next = Math.max(next, parseInt(m[1], 10) + 1); }
      });
      var copy = last.cloneNode(true);
      copy.querySelectorAll(".remove-row").forEach(function (el) {
        (el.parentElement.tagName === "TD" ? el.parentElement : el).remove();
      });
      renumber(copy, next);
      clear(copy);
      removeButton(fieldset, copy);
      last.after(copy);
      var first = copy.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
    if (fieldset.tagName === "TABLE") { fieldset.after(add); } else { fieldset.appendChild(add); }
  }

  /* a field required for some decisions only (a deny's note): required and aria-required
     follow the decision chosen, before the form is sent; its label says when it is needed */
  function requiredFor(field) {
    var values = field.dataset.requiredFor.split(" ");
    var radios = field.form ? field.form.querySelectorAll("input[name=decision]") : [];
    function update() {
      var chosen = field.form.querySelector("input[name=decision]:checked");
      var on = !!chosen && values.indexOf(chosen.value) >= 0;
      field.required = on;
      field.setAttribute("aria-required", on ? "true" : "false");
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    if (radios.length) { update(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    menu();
    labelCells();
    focusSummary();
    document.querySelectorAll("[data-rows]").forEach(rows);
    document.querySelectorAll("[data-required-for]").forEach(requiredFor);
  });
})();

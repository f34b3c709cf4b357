// Upload with a progress bar (no inline scripts: the CSP forbids them). Without JavaScript the
// forms still post normally. The CSRF token goes in a header and as the first form field.
(function () {
  "use strict";
  function attach(form) {
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress");
      var status = form.querySelector(".upload-status");
      var button = form.querySelector("button[type=submit]");
      var token = form.querySelector("input[name=csrf_token]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      if (token) { xhr.setRequestHeader("X-CSRFToken", token.value); }
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        bar.hidden = false;
        bar.value = Math.floor((e.loaded / e.total) * 100);
        status.textContent = bar.value + " %";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400) {
          window.location.assign(xhr.getResponseHeader("X-Location") || window.location.href);
        } else {
          button.disabled = false;
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var message = doc.querySelector("main p");
          status.textContent = xhr.status + " " + (message ? message.textContent : "");
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = "✕";
      });
      button.disabled = true;
      xhr.send(new FormData(form));
    });
  }
  var forms = document.querySelectorAll("form.upload");
  for (var i = 0; i < forms.length; i += 1) { attach(forms[i]); }
}());

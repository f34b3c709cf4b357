/* Passkeys (WebAuthn): add one on the two-step sign-in page, use one at the sign-in's second
   step. The server gives the options and checks the answers; this only carries them between
   it and navigator.credentials, with binary fields as base64url. Served from 'self' (the CSP
   allows no inline script); without it the codes still work. */
(function () {
  "use strict";

  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      if (!response.ok) { throw new Error("refused: " + response.status); }
      return response.json();
    });
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type, id: toBytes(c.id), transports: c.transports };
    });
  }

  function asJson(credential) {
    var r = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    }
    if (r.authenticatorData) {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      out.response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return out;
  }

  function say(box, text) {
    var status = box.querySelector("#passkey-status");
    if (status) { status.textContent = text; }
  }

  function register(box) {
    if (!window.PublicKeyCredential) { say(box, box.dataset.unsupported); return; }
    post(box.dataset.optionsUrl).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var name = box.querySelector("#passkey-name").value;
      return post(box.dataset.url, { name: name, credential: asJson(credential) });
    }).then(function (answer) {
      say(box, box.dataset.added);
      var codes = answer.recovery_codes || [];
      if (!codes.length) { window.location.assign(answer.next); return; }
      var section = box.querySelector("#passkey-codes"), list = section.querySelector("ol");
      codes.forEach(function (code) {
        var item = document.createElement("li"), text = document.createElement("code");
        text.textContent = code;
        item.appendChild(text);
        list.appendChild(item);
      });
      section.hidden = false;
    }).catch(function () { say(box, box.dataset.failed); });
  }

  function signIn(box) {
    if (!window.PublicKeyCredential) { say(box, box.dataset.unsupported); return; }
    post(box.dataset.optionsUrl).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = descriptors(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      return post(box.dataset.url, { credential: asJson(credential) });
    }).then(function (answer) {
      window.location.assign(answer.next);
    }).catch(function () { say(box, box.dataset.failed); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var adding = document.getElementById("passkey-register");
    var add = document.getElementById("passkey-add");
    if (adding && add) { add.addEventListener("click", function () { register(adding); }); }
    var using = document.getElementById("passkey-sign-in");
    var use = document.getElementById("passkey-use");
    if (using && use) { use.addEventListener("click", function () { signIn(using); }); }
  });
}());

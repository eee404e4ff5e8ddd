// Shared by the service worker (importScripts), the content script and the panel: which social
// sites the extension works on, and the crisis-desk `platform` value for a page's hostname.
"use strict";

/* exported CRISIS_DESK */
var CRISIS_DESK = globalThis.CRISIS_DESK || (globalThis.CRISIS_DESK = (() => {
  // Keep in sync with `content_scripts.matches` in manifest.json.
  const SOCIAL_MATCHES = [
    "https://*.x.com/*",
    "https://*.twitter.com/*",
    "https://*.facebook.com/*",
    "https://*.instagram.com/*",
    "https://*.linkedin.com/*",
  ];
  const HOSTS = [
    ["x.com", "x"],
    ["twitter.com", "x"],
    ["facebook.com", "facebook"],
    ["fb.com", "facebook"],
    ["instagram.com", "instagram"],
    ["linkedin.com", "linkedin"],
  ];

  function platformOf(hostOrUrl) {
    let host = String(hostOrUrl || "");
    try { host = new URL(host).hostname; } catch (_) { /* already a hostname */ }
    host = host.toLowerCase().replace(/\.$/, "");
    for (const [domain, platform] of HOSTS) {
      if (host === domain || host.endsWith(`.${domain}`)) return platform;
    }
    return "other";
  }

  return Object.freeze({
    SOCIAL_MATCHES,
    platformOf,
    MENU_ID: "crisis-desk-draft-reply",
    GET_SELECTION: "crisis-desk:get-selection",
    PENDING_KEY: "pendingComment",
  });
})());

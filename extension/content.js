// Content script on social pages (see manifest.json). It only answers the extension's own
// "what is selected?" message with the selected text, the page (or the comment's permalink) and the
// platform. It never reads the API key or settings, calls the API, or changes the page.
"use strict";

(() => {
  if (globalThis.__crisisDeskContent) return; // injected twice (manifest + scripting fallback)
  globalThis.__crisisDeskContent = true;
  const { GET_SELECTION, platformOf } = globalThis.CRISIS_DESK;
  const MAX_CHARS = 20000; // the server refuses long comments with a clear 413; keep messages small

  function selectedText() {
    const active = document.activeElement;
    if (active && (active.tagName === "TEXTAREA" || (active.tagName === "INPUT" && active.type === "text"))) {
      const { selectionStart: a, selectionEnd: b, value } = active;
      if (typeof a === "number" && b > a) return value.slice(a, b);
    }
    const sel = window.getSelection();
    return sel ? sel.toString() : "";
  }

  // The comment's own address when the page shows one (an <a> around a <time> in the same
  // <article>, as on X); otherwise the page address.
  function permalink() {
    const sel = window.getSelection();
    let node = sel && sel.rangeCount ? sel.getRangeAt(0).commonAncestorContainer : null;
    if (node && node.nodeType !== Node.ELEMENT_NODE) node = node.parentElement;
    const article = node && node.closest ? node.closest("article") : null;
    const link = article ? article.querySelector("a[href] time") : null;
    const href = link && link.closest("a") ? link.closest("a").href : "";
    return /^https:\/\//.test(href) ? href : location.href;
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!message || message.type !== GET_SELECTION || sender.id !== chrome.runtime.id) return false;
    const text = selectedText().replace(/\u00a0/g, " ").trim().slice(0, MAX_CHARS);
    sendResponse({ text, url: permalink().slice(0, 2000), platform: platformOf(location.hostname) });
    return false;
  });
})();

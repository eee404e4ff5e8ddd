// Service worker: opens the side panel from the toolbar button and offers "Draft a reply with
// crisis-desk" on selected text on social pages. It hands the selection to the panel through
// chrome.storage.session (readable by extension pages only, never by web pages).
"use strict";

importScripts("platforms.js");
const { SOCIAL_MATCHES, MENU_ID, GET_SELECTION, PENDING_KEY, platformOf } = globalThis.CRISIS_DESK;

chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch((err) => console.warn(err));

async function restrictStorage() {
  // session storage is extension-only by default; keep it so. Where the browser allows it, make
  // local storage (the API key) extension-only too, so even our content script cannot read it.
  for (const area of [chrome.storage.session, chrome.storage.local]) {
    try { await area.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" }); } catch (_) { /* unsupported */ }
  }
}
restrictStorage();

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({
      id: MENU_ID,
      title: "Draft a reply with crisis-desk",
      contexts: ["selection"],
      documentUrlPatterns: SOCIAL_MATCHES,
    });
  });
});

// The content script knows the full selection (with line breaks) and the comment's permalink;
// the menu's own selectionText is the fallback.
async function selectionFromTab(tab, frameId) {
  try {
    return await chrome.tabs.sendMessage(tab.id, { type: GET_SELECTION }, { frameId: frameId || 0 });
  } catch (_) {
    return null; // page loaded before install, or not a social page: use the menu's data
  }
}

async function handleMenuClick(info, tab) {
  if (info.menuItemId !== MENU_ID) return;
  // sidePanel.open must run while the click's user gesture is still valid: before any await.
  const opened = tab && tab.windowId !== undefined
    ? chrome.sidePanel.open({ windowId: tab.windowId }).catch((err) => console.warn(err))
    : Promise.resolve();
  const fromPage = tab && tab.id >= 0 ? await selectionFromTab(tab, info.frameId) : null;
  const url = (fromPage && fromPage.url) || info.pageUrl || (tab && tab.url) || "";
  const text = (fromPage && fromPage.text) || (info.selectionText || "").trim();
  if (!text) return;
  await chrome.storage.session.set({
    [PENDING_KEY]: { text, url, platform: platformOf(url), at: Date.now() },
  });
  await opened;
}

chrome.contextMenus.onClicked.addListener((info, tab) => { handleMenuClick(info, tab); });

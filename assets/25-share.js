/* Clientside callbacks shared by the pages: the share link in the address bar. */
(function () {
  /* quietMs: how long the controls must stay still before the address bar is rewritten. Each
     rewrite costs the browser about 10 ms (history entry, favicon, session state), taken from
     the redraw it would run beside, and browsers throttle pages that rewrite their address
     hundreds of times (Safari allows 100 in 30 s): a burst of slider steps writes once. */
  const share = {quietMs: 300};
  let pending = null;  // [pathname, query] not written yet
  let timer = null;

  function write() {
    clearTimeout(timer);
    timer = null;
    const target = pending;
    pending = null;
    // A link followed meanwhile has left the page the query belongs to.
    if (target && window.location.pathname === target[0] &&
        window.location.search !== target[1]) {
      window.history.replaceState(window.history.state, '', target[0] + target[1]);
    }
  }

  /* Put the page's canonical query into the address bar once the controls have been still
     for quietMs, without a reload and without a history entry per change. */
  share.replaceQuery = function (query) {
    if (query) {
      pending = [window.location.pathname, query];
      clearTimeout(timer);
      timer = setTimeout(write, share.quietMs);
    }
    return query;
  };
  /* The link the "copy" button puts on the clipboard: the latest view, even if the address bar
     has not been rewritten yet. */
  share.currentHref = function () {
    write();
    return window.location.href;
  };
  // A link followed or a page left takes the latest view into the history first.
  document.addEventListener('click', write, true);
  window.addEventListener('pagehide', write);
  window.dash_clientside = Object.assign({}, window.dash_clientside, {share: share});
})();

/* Clientside callbacks shared by the pages: the share link in the address bar. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  share: {
    /* Write the page's canonical query into the address bar, without a reload and without a
       history entry per slider step. */
    replaceQuery: function (query) {
      if (query && window.location.search !== query) {
        window.history.replaceState(window.history.state, '', window.location.pathname + query);
      }
      return query;
    },
    /* The link the "copy" button puts on the clipboard. */
    currentHref: function () {
      return window.location.href;
    }
  }
});

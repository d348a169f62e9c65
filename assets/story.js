/* "Add to story" (dashboard/ui/story_control.py): keeps the page's current view, by its share
   link, in the story being edited (localStorage, through the story-draft store). */
(function () {
  const MAX_VIEWS = 50;
  const MAX_TITLE = 120;
  const PAGES = {"/": "Explorer", "/artist": "Van Gogh's colours", "/diffusion": "Diffusion"};
  const story = {};

  function currentLink() {
    // The share link as the page shows it now (written at once if a rewrite is pending).
    const share = (window.dash_clientside || {}).share;
    if (share && share.currentHref) { share.currentHref(); }
    return window.location.pathname + window.location.search;
  }

  /* A title from the view: the page, the active tab, the image and its key numbers. */
  story.suggestTitle = function () {
    const params = new URLSearchParams(window.location.search);
    const parts = [PAGES[window.location.pathname] || document.title];
    const tab = document.querySelector(".page .nav-tabs .nav-link.active");
    if (tab && tab.textContent.trim()) { parts.push(tab.textContent.trim()); }
    const artwork = params.get("artwork");
    if (artwork) { parts.push(artwork); }
    if (params.has("variance")) { parts.push("σ² = " + params.get("variance")); }
    if (params.has("t")) { parts.push("t = " + params.get("t")); }
    return parts.join(" · ").slice(0, MAX_TITLE);
  };

  /* A page's content is inserted by a callback, so these run once when it appears even with
     prevent_initial_call: only a real click (n_clicks set) does anything. */
  story.togglePanel = function (opened, cancelled, isOpen) {
    const noUpdate = window.dash_clientside.no_update;
    if (!opened && !cancelled) { return [noUpdate, noUpdate, noUpdate]; }
    const ctx = window.dash_clientside.callback_context;
    const trigger = ctx.triggered.length ? ctx.triggered[0].prop_id.split(".")[0] : "";
    const download = "/story/view.html?link=" + encodeURIComponent(currentLink());
    if (trigger === "story-add-cancel" || isOpen) {
      return [false, window.dash_clientside.no_update, download];
    }
    return [true, story.suggestTitle(), download];
  };

  story.addView = function (clicks, title, note, draft) {
    const noUpdate = window.dash_clientside.no_update;
    if (!clicks) { return [noUpdate, noUpdate, noUpdate, noUpdate]; }
    const current = (draft && Array.isArray(draft.views)) ? draft : {title: "", views: []};
    if (current.views.length >= MAX_VIEWS) {
      return [noUpdate, "The story already has " + MAX_VIEWS + " views, the most it can " +
              "hold: remove one in the story editor first.", noUpdate, noUpdate];
    }
    const view = {link: currentLink(), title: String(title || "").trim().slice(0, MAX_TITLE),
                  note: String(note || "").trim()};
    const next = {title: current.title || "", views: current.views.concat([view])};
    const count = next.views.length;
    return [next, "Added to the story (" + count + (count === 1 ? " view" : " views") +
            "). Open Story in the menu to reorder, edit and share it.", false, ""];
  };

  // "Download this view as HTML" names the view as it is at the moment of the click.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("#story-view-download");
    if (link) {
      link.setAttribute("href", "/story/view.html?link=" + encodeURIComponent(currentLink()));
    }
  }, true);
  window.dash_clientside = Object.assign({}, window.dash_clientside, {story: story});
})();

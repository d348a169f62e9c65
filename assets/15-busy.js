/* A busy server refuses heavy work with 503 and a Retry-After (dashboard.server.hardening).
   Here a refused callback is sent again after that many seconds, and a picture whose request
   was refused is loaded again, with a visible "busy, retrying" notice until every refused
   request has gone through. Dash's renderer only sees the answer that finally arrives. */
(function () {
  'use strict';
  const DEFAULT_WAIT_S = 2;
  const MAX_WAIT_S = 30;
  /* A callback is sent at most this many times; the last refusal reaches the renderer. */
  const MAX_ATTEMPTS = 40;
  const PICTURE_PATHS = ['/image/', '/thumb/', '/diffusion/image/'];
  const NOTICE_ID = 'server-busy-notice';
  const originalFetch = window.fetch.bind(window);
  const state = { waiting: 0, refusals: 0, shown: 0 };

  function retryAfterSeconds(response) {
    const text = (response.headers.get('Retry-After') || '').trim();
    if (!/^[0-9]{1,4}$/.test(text)) { return DEFAULT_WAIT_S; }
    return Math.min(Math.max(Number(text), 1), MAX_WAIT_S);
  }

  function notice() {
    let element = document.getElementById(NOTICE_ID);
    if (!element) {
      element = document.createElement('div');
      element.id = NOTICE_ID;
      element.className = 'server-busy';
      element.setAttribute('role', 'status');
      element.setAttribute('aria-live', 'polite');
      document.body.appendChild(element);
    }
    return element;
  }

  function busyFor(seconds) {
    state.refusals += 1;
    const element = notice();
    element.textContent = 'The server is busy with other images: retrying in ' + seconds +
      ' s…';
    element.hidden = false;
  }

  function begin() {
    state.waiting += 1;
    state.shown += 1;
  }

  function end() {
    state.waiting -= 1;
    if (state.waiting <= 0) {
      state.waiting = 0;
      const element = document.getElementById(NOTICE_ID);
      if (element) { element.hidden = true; }
    }
  }

  function sleep(seconds) {
    return new Promise(function (resolve) { setTimeout(resolve, seconds * 1000); });
  }

  function urlOf(input) {
    return typeof input === 'string' ? input : (input && input.url) || '';
  }

  async function fetchRetrying(input, init) {
    let waiting = false;
    try {
      for (let attempt = 1; ; attempt += 1) {
        const response = await originalFetch(input, init);
        if (response.status !== 503 || attempt >= MAX_ATTEMPTS) { return response; }
        const seconds = retryAfterSeconds(response);
        if (!waiting) { waiting = true; begin(); }
        busyFor(seconds);
        await sleep(seconds);
      }
    } finally {
      if (waiting) { end(); }
    }
  }

  /* Dash's renderer posts every server callback with fetch: those are retried. */
  window.fetch = function (input, init) {
    if (urlOf(input).indexOf('_dash-update-component') !== -1) {
      return fetchRetrying(input, init);
    }
    return originalFetch(input, init);
  };

  function isPicture(element) {
    if (!(element instanceof HTMLImageElement) || !element.src) { return false; }
    let url;
    try { url = new URL(element.src, window.location.href); } catch (error) { return false; }
    return url.origin === window.location.origin &&
      PICTURE_PATHS.some(function (path) { return url.pathname.startsWith(path); });
  }

  /* An <img> cannot tell why it failed: ask the server once more, and if it says busy, wait
     and load the picture again (unless the page has moved on to another picture). */
  async function retryPicture(image) {
    const src = image.getAttribute('src');
    let waiting = false;
    try {
      for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
        let response;
        try {
          response = await originalFetch(src, { cache: 'no-store' });
        } catch (error) {
          return;
        }
        if (response.status !== 503) {
          if (response.ok && image.getAttribute('src') === src) {
            image.removeAttribute('src');
            image.setAttribute('src', src);
          }
          return;
        }
        if (!waiting) { waiting = true; begin(); }
        busyFor(retryAfterSeconds(response));
        await sleep(retryAfterSeconds(response));
        if (image.getAttribute('src') !== src) { return; }
      }
    } finally {
      if (waiting) { end(); }
    }
  }

  document.addEventListener('error', function (event) {
    if (isPicture(event.target)) { retryPicture(event.target); }
  }, true);

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    busy: {
      /* For tests and the console: requests waiting now, refusals seen, waits begun. */
      status: function () {
        return { waiting: state.waiting, refusals: state.refusals, waits: state.shown };
      }
    }
  });
})();

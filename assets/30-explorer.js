/* Clientside callbacks of the explorer: work that needs no server round trip. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  explorer: {
    /* URLs of the original and noisy pictures, built in the browser so the JPEG request
       leaves at once on a slider move. Mirrors dashboard.explorer.routes.image_url: values are
       clamped and rounded like dashboard.explorer.callbacks.clean_params. */
    imageUrls: function (source, mean, variance, seed, selection) {
      if (!source) { return [null, null]; }
      const number = window.dash_clientside.explorer.clamped;
      const rounded = window.dash_clientside.explorer.roundedText;
      const m = rounded(number(mean, 0, -1, 1), 3);
      const v = rounded(number(variance, 0.01, 0, 1), 4);
      const s = Math.trunc(number(seed, 0, 0, 4294967295));
      let selectionImage = null;
      if (selection) {
        const parts = selection.split(':');
        selectionImage = parts[0] === 'levels' ? parts[2] : parts[4];
      }
      const url = (kind) => {
        let query = 'src=' + encodeURIComponent(source).replace(/%3A/g, ':');
        if (kind === 'noisy' || selectionImage === 'noisy') {
          query += '&mean=' + m + '&variance=' + v + '&seed=' + s;
        }
        if (selection) { query += '&sel=' + encodeURIComponent(selection).replace(/%3A/g, ':'); }
        return '/image/' + kind + '.jpg?' + query;
      };
      return [url('original'), url('noisy')];
    }
  }
});

/* The share link's query string, built in the browser on every control change (no server
   round trip). Mirrors dashboard.explorer.state.ViewState.to_query and the clamping of
   dashboard.explorer.callbacks.clean_params; a browser test checks they agree. */
window.dash_clientside.explorer.shareQuery = function (source, mean, variance, seed, view, x, y,
                                                        joint, jbins, given, space, bins,
                                                        selection) {
  if (!source) { return window.dash_clientside.no_update; }
  const number = window.dash_clientside.explorer.clamped;
  const rounded = window.dash_clientside.explorer.roundedText;
  const pick = (value, choices, fallback) => (choices.includes(value) ? value : fallback);
  const channels = ['red', 'green', 'blue'];
  const params = [];
  if (source.startsWith('upload:')) {
    params.push(['upload', source.slice('upload:'.length)]);
  } else {
    params.push(['artwork', source]);
  }
  params.push(['mean', rounded(number(mean, 0, -1, 1), 3)]);
  params.push(['variance', rounded(number(variance, 0.01, 0, 1), 4)]);
  params.push(['seed', String(Math.trunc(number(seed, 0, 0, 4294967295)))]);
  params.push(['view', pick(view, ['noise', 'distributions', 'joint', 'colour3d'], 'noise')]);
  params.push(['x', pick(x, channels, 'blue')]);
  params.push(['y', pick(y, channels, 'green')]);
  params.push(['joint', pick(joint, ['original', 'noisy'], 'original')]);
  params.push(['jbins', String(pick(Number(jbins), [32, 64, 128, 256], 64))]);
  params.push(['space', pick(space, ['rgb', 'hsv', 'lab', 'oklab'], 'rgb')]);
  params.push(['bins', String(Math.trunc(number(bins, 16, 8, 64)))]);
  if (Array.isArray(given) && given.length === 2) {
    const lo = Math.trunc(Number(given[0])), hi = Math.trunc(Number(given[1]));
    if (0 <= lo && lo <= hi && hi <= 255) { params.push(['given', lo + '-' + hi]); }
  }
  if (typeof selection === 'string' && window.dash_clientside.explorer.validSelection(selection)) {
    params.push(['sel', selection]);
  }
  const encode = (text) => encodeURIComponent(text).replace(/%3A/g, ':').replace(/%20/g, '+');
  return '?' + params.map(([k, v]) => k + '=' + encode(v)).join('&');
};

/* Mirrors dashboard.explorer.state.valid_selection. */
window.dash_clientside.explorer.validSelection = function (raw) {
  const levels = /^levels:(red|green|blue):(original|noisy):(\d{1,3})-(\d{1,3})$/.exec(raw);
  if (levels) {
    const lo = Number(levels[3]), hi = Number(levels[4]);
    return lo <= hi && hi <= 255;
  }
  const bin = /^bin:(rgb|hsv|lab|oklab):(\d{1,2}):(\d{1,6}):(original|noisy)$/.exec(raw);
  if (bin) {
    const bins = Number(bin[2]);
    return bins >= 8 && bins <= 64 && Number(bin[3]) < bins * bins * bins;
  }
  return false;
};

/* The noise half of the caption under the pictures, and σ in both units. Mirrors the clamping
   and rounding of clean_params (values as the share link writes them). */
window.dash_clientside.explorer.noiseText = function (mean, variance, seed) {
  const query = window.dash_clientside.explorer.shareQuery(
    'x', mean, variance, seed, null, null, null, null, null, null, null, null, null);
  const params = new URLSearchParams(query);
  const m = params.get('mean'), v = params.get('variance'), s = params.get('seed');
  const sigma = Math.sqrt(Number(v));
  return ['noise N(μ = ' + m + ', σ² = ' + v + ') · seed ' + s,
          'σ = ' + sigma.toFixed(4) + ' on the 0–1 scale = ' + (255 * sigma).toFixed(1) +
          ' intensity levels'];
};

/* What the highlight sentence depends on: the noise parameters count only for a selection
   on the noisy image, so a slider move changes this (and asks the server) only then. */
window.dash_clientside.explorer.selectionKey = function (selection, source, mean, variance,
                                                          seed, previous) {
  const key = {selection: selection || null, source: source || null};
  if (selection && window.dash_clientside.explorer.validSelection(selection)) {
    const parts = selection.split(':');
    const image = parts[0] === 'levels' ? parts[2] : parts[4];
    if (image === 'noisy') {
      const params = new URLSearchParams(window.dash_clientside.explorer.shareQuery(
        'x', mean, variance, seed, null, null, null, null, null, null, null, null, null));
      key.mean = Number(params.get('mean'));
      key.variance = Number(params.get('variance'));
      key.seed = Number(params.get('seed'));
    }
  }
  if (previous && JSON.stringify(previous) === JSON.stringify(key)) {
    return window.dash_clientside.no_update;
  }
  return key;
};

/* ``value`` as a number clamped to [lo, hi]; ``fallback`` when it is missing or not finite. */
window.dash_clientside.explorer.clamped = function (value, fallback, lo, hi) {
  const v = Number(value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(v)) {
    return fallback;
  }
  return Math.min(Math.max(v, lo), hi);
};

/* ``v`` rounded to ``digits`` decimals as Python's viewstate rounds (Math.round is
   floor(x + 0.5)), written in the shortest form ("0.1", "0"). */
window.dash_clientside.explorer.roundedText = function (v, digits) {
  const scale = Math.pow(10, digits);
  const text = String(Math.round(v * scale) / scale);
  return text === '-0' ? '0' : text;
};

/* Everything the browser derives from the controls, in one callback: Dash spends about ten
   store updates on each callback it runs, so a slider move runs this one instead of one per
   output. Returns the noise caption and σ text, the pictures' URLs and the highlight key, and
   hands the share link to share.replaceQuery (the address bar follows once the controls are
   still). */
window.dash_clientside.explorer.syncControls = function (source, mean, variance, seed, view, x,
                                                          y, joint, jbins, given, space, bins,
                                                          selection, previousKey) {
  const explorer = window.dash_clientside.explorer;
  const [caption, sigma] = explorer.noiseText(mean, variance, seed);
  const [originalSrc, noisySrc] = explorer.imageUrls(source, mean, variance, seed, selection);
  const key = explorer.selectionKey(selection, source, mean, variance, seed, previousKey);
  const query = explorer.shareQuery(source, mean, variance, seed, view, x, y, joint, jbins, given,
                                    space, bins, selection);
  if (typeof query === 'string') { window.dash_clientside.share.replaceQuery(query); }
  // The original's picture changes only with the image or the highlight: leave it alone.
  const original = document.getElementById('original-image');
  const same = original && originalSrc && original.getAttribute('src') === originalSrc;
  return [caption, sigma, same ? window.dash_clientside.no_update : originalSrc, noisySrc, key];
};

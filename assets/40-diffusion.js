/* Clientside callbacks of the diffusion page: work that needs no server round trip. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  diffusion: {
    schedules: ['linear', 'scaled-linear', 'cosine'],
    priors: ['painting', 'artist'],
    views: ['marginal', 'information', 'schedules', 'correlation'],
    /* Mirrors dashboard.diffusion.routes.PARAMETERS: what each picture's URL names. */
    parameters: {
      'x0': [],
      'structure-free': ['seed'],
      'xt': ['schedule', 'steps', 'zero_snr', 't', 'seed'],
      'denoised': ['schedule', 'steps', 'zero_snr', 't', 'seed', 'prior'],
      'colour-denoised': ['schedule', 'steps', 'zero_snr', 't', 'seed']
    }
  }
});

/* ``value`` as a whole number clamped to [lo, hi], halves up; ``fallback`` when it is missing
   or not finite. Mirrors control_number then round_half_up(…, 0) in dashboard.ui.query. */
window.dash_clientside.diffusion.whole = function (value, fallback, lo, hi) {
  const v = Number(value);
  const number = (value === null || value === undefined || value === '' ||
                  !Number.isFinite(v))
    ? fallback : Math.min(Math.max(v, lo), hi);
  return Math.floor(number + 0.5);
};

/* The controls cleaned as dashboard.diffusion.state.DiffusionState.from_controls cleans them;
   null without a source. */
window.dash_clientside.diffusion.state = function (source, schedule, steps, t, zeroSnr, seed,
                                                   prior, view) {
  if (typeof source !== 'string' || !source) { return null; }
  const d = window.dash_clientside.diffusion;
  const cleanSteps = d.whole(steps, 1000, 2, 2000);
  return {
    source: source,
    schedule: d.schedules.includes(schedule) ? schedule : 'linear',
    steps: cleanSteps,
    t: d.whole(t, Math.floor(cleanSteps / 4), 0, cleanSteps),
    zero_snr: (zeroSnr === true ||
               ['1', 'true', 'yes', 'on'].includes(zeroSnr)) ? 1 : 0,
    seed: d.whole(seed, 0, 0, 4294967295),
    prior: d.priors.includes(prior) ? prior : 'painting',
    view: d.views.includes(view) ? view : d.views[0]
  };
};

window.dash_clientside.diffusion.encode = function (text) {
  return encodeURIComponent(String(text)).replace(/%3A/g, ':').replace(/%20/g, '+');
};

/* Mirrors dashboard.diffusion.state.DiffusionState.to_query. */
window.dash_clientside.diffusion.query = function (state) {
  const d = window.dash_clientside.diffusion;
  const params = state.source.startsWith('upload:')
    ? [['upload', state.source.slice('upload:'.length)]] : [['artwork', state.source]];
  for (const name of ['schedule', 'steps', 't', 'zero_snr', 'seed', 'prior', 'view']) {
    params.push([name, state[name]]);
  }
  return '?' + params.map(([k, v]) => k + '=' + d.encode(v)).join('&');
};

/* The pictures' size for this screen: below 1.5 device pixels per CSS pixel the page's
   picture columns show about 400 of them, so every other pixel of a 1024-pixel image is all
   that can be seen (dashboard.diffusion.services.screen_stride); sharper screens get all. */
window.dash_clientside.diffusion.pictureSize = function () {
  return (window.devicePixelRatio || 1) < 1.5 ? 'screen' : 'full';
};

/* Mirrors dashboard.diffusion.routes.image_url. */
window.dash_clientside.diffusion.imageUrl = function (picture, state, size) {
  const d = window.dash_clientside.diffusion;
  const params = [['src', state.source]];
  for (const name of d.parameters[picture]) { params.push([name, state[name]]); }
  if (size && size !== 'full') { params.push(['size', size]); }
  return '/diffusion/image/' + picture + '.jpg?' +
    params.map(([k, v]) => k + '=' + d.encode(v)).join('&');
};

/* The URL of ``picture`` for the controls, or no_update when the element shows it already. */
window.dash_clientside.diffusion.pictureUpdate = function (id, picture, state) {
  const d = window.dash_clientside.diffusion;
  const url = d.imageUrl(picture, state, d.pictureSize());
  const element = document.getElementById(id);
  return element && element.getAttribute('src') === url ? window.dash_clientside.no_update : url;
};

/* On any change of the controls: the URLs of the pictures that depend on the step (x_t and the
   denoised image), so their requests leave at once, and the share link handed to
   share.replaceQuery (assets/25-share.js). A 3D colour result on show belonged to the controls
   before: it is cleared and its picture hidden. The image and the structure-free sample have
   their own callback (syncImage): an output left as it is still costs Dash's renderer a
   round of updates, so a step moves only what it changes. */
window.dash_clientside.diffusion.syncStep = function (source, schedule, steps, t, zeroSnr,
                                                      seed, prior, view) {
  const d = window.dash_clientside.diffusion;
  const noUpdate = window.dash_clientside.no_update;
  const colourShown = document.getElementById('diffusion-colour-figure');
  const colour = colourShown && !colourShown.hidden ? [null, true] : [noUpdate, noUpdate];
  const state = d.state(source, schedule, steps, t, zeroSnr, seed, prior, view);
  if (!state) { return [noUpdate, noUpdate, ...colour]; }
  window.dash_clientside.share.replaceQuery(d.query(state));
  return [d.pictureUpdate('diffusion-xt-image', 'xt', state),
          d.pictureUpdate('diffusion-denoised-image', 'denoised', state), ...colour];
};

/* The URLs of the pictures that depend on the image and the seed alone. */
window.dash_clientside.diffusion.syncImage = function (source, seed) {
  const d = window.dash_clientside.diffusion;
  const noUpdate = window.dash_clientside.no_update;
  const state = d.state(source, null, null, null, null, seed, null, null);
  if (!state) { return [noUpdate, noUpdate]; }
  return [d.pictureUpdate('diffusion-x0-image', 'x0', state),
          d.pictureUpdate('diffusion-structure-free-image', 'structure-free', state)];
};

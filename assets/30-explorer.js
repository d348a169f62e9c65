/* Clientside callbacks of the explorer: work that needs no server round trip. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  explorer: {
    /* URLs of the original and noisy pictures, built in the browser so the JPEG request
       leaves at once on a slider move. Mirrors dashboard.imageroute.image_url: values are
       clamped and rounded like dashboard.callbacks.explorer.clean_params. */
    imageUrls: function (source, mean, variance, seed, selection) {
      if (!source) { return [null, null]; }
      const number = (value, fallback, lo, hi) => {
        const v = Number(value);
        if (value === null || value === undefined || value === '' || !Number.isFinite(v)) {
          return fallback;
        }
        return Math.min(Math.max(v, lo), hi);
      };
      const rounded = (v, digits) => {
        const text = v.toFixed(digits).replace(/\.?0+$/, '');
        return text === '-0' || text === '' ? '0' : text;
      };
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

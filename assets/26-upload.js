/* The upload zone of the pages that show an image (dashboard.ui.upload): what the browser
   refuses before sending, with a message. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {upload: {}});

/* A file name as quoted in a message: at most 40 characters (dashboard.ui.query.shortened). */
window.dash_clientside.upload.shortName = function (name) {
  const text = String(name || 'The file');
  return text.length <= 40 ? text : text.slice(0, 37) + '...';
};

/* Refuse an over-size upload in the browser, with a message, before it is sent: the server
   would refuse the request body anyway, and a refused request shows the user nothing. */
window.dash_clientside.upload.check = function (contents, filename, maxBytes) {
  const noUpdate = window.dash_clientside.no_update;
  if (!contents) { return [noUpdate, noUpdate]; }
  const comma = contents.indexOf(',');
  const base64 = comma >= 0 ? contents.slice(comma + 1) : contents;
  const bytes = Math.floor(base64.length * 3 / 4);
  if (maxBytes && bytes > maxBytes) {
    const mb = (n) => (n / (1024 * 1024)).toFixed(1) + ' MB';
    const name = window.dash_clientside.upload.shortName(filename);
    return [noUpdate, name + ' is ' + mb(bytes) + ', larger than the ' + mb(maxBytes) +
            ' accepted. Try a smaller or more compressed image (JPEG, PNG, WebP, GIF, TIFF or BMP).'];
  }
  return [{contents: contents, filename: filename}, ''];
};

/* Why the upload zone refuses ``files`` (a message), or null when it takes them. The zone's
   ``accept`` list is checked as the upload component checks it (media types, "type/*",
   ".extension"); a file it refuses is never read, so check never sees it. */
window.dash_clientside.upload.refused = function (files, accept) {
  const formats = 'JPEG, PNG, WebP, GIF, TIFF or BMP';
  if (files.length > 1) {
    return files.length + ' files were dropped; drop one ' + formats + ' image at a time.';
  }
  const file = files[0];
  const type = String(file.type || '').toLowerCase();
  const name = String(file.name || '').toLowerCase();
  const accepted = String(accept || '').split(',').map((item) => item.trim().toLowerCase())
    .filter((item) => item);
  const takes = (item) => (item.startsWith('.') ? name.endsWith(item)
    : item.endsWith('/*') ? type.startsWith(item.slice(0, -1)) : type === item);
  if (!accepted.length || accepted.some(takes)) { return null; }
  const what = type === 'image/svg+xml' ? 'an SVG drawing, not a picture made of pixels'
    : type ? 'a file of type ' + type : 'a file of unknown type';
  return window.dash_clientside.upload.shortName(file.name) + ' is ' + what +
    '; this page reads ' + formats + ' images.';
};

/* Say so when an upload zone refuses a dropped or chosen file: listened for on the whole
   document, before the zone's own handlers. The message goes to "<zone id>-refused". */
(function () {
  const report = (event, files) => {
    const target = event.target;
    const zone = target && target.closest ? target.closest('.upload-zone') : null;
    if (!zone || !files || !files.length) { return; }
    const owner = zone.id ? zone : zone.parentElement && zone.parentElement.closest('[id]');
    const sink = owner ? document.getElementById(owner.id + '-refused') : null;
    const input = zone.querySelector('input[type=file]');
    const message = window.dash_clientside.upload.refused(
      Array.from(files), input ? input.getAttribute('accept') : '');
    if (message && sink && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(sink.id, {children: message});
    }
  };
  document.addEventListener('drop', (event) => report(event, event.dataTransfer &&
                                                       event.dataTransfer.files), true);
  document.addEventListener('change', (event) => report(event, event.target &&
                                                         event.target.files), true);
})();

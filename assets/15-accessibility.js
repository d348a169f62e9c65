/* Names and keyboard reach for the parts of Dash 4's and dash-bootstrap-components' controls
   that their properties do not reach:
   - a slider's handle (role="slider") and its number box get the text of the control's label;
   - a dropdown's transparent focus proxy (aria-hidden yet focusable) is made inert and the
     dropdown's own button takes the Tab stop;
   - the tabs of dbc.Tabs are reachable with Tab, name the panel they control, and switch with
     Enter, Space, the arrow keys, Home and End;
   - an upload zone's hidden file input is named by the zone's text;
   - the copy-link icon (dcc.Clipboard, a div) is a button: a Tab stop named by its title that
     Enter and Space press.
   The page's elements are fixed once each (marked data-a11y), after each DOM change, at most
   once per frame. Exposed as dash_clientside.accessibility for the tests. */
(function () {
  'use strict';
  const DONE = 'data-a11y';

  function labelText(control) {
    if (!control) { return ''; }
    const byFor = control.id &&
      document.querySelector('label[for="' + CSS.escape(control.id) + '"]');
    const label = byFor || (control.parentElement &&
      control.parentElement.querySelector(':scope > label'));
    return label ? label.textContent.trim() : '';
  }

  function nameSliders(root) {
    root.querySelectorAll('.dash-slider-container:not([' + DONE + '])').forEach((slider) => {
      const name = labelText(slider);
      if (!name) { return; }
      slider.querySelectorAll('[role="slider"]').forEach((thumb) => {
        if (!thumb.hasAttribute('aria-label')) { thumb.setAttribute('aria-label', name); }
      });
      slider.querySelectorAll('input.dash-range-slider-input').forEach((box) => {
        if (!box.hasAttribute('aria-label')) { box.setAttribute('aria-label', name + ': value'); }
      });
      // The handle is drawn after the first layout: mark the slider done only once it is named.
      if (slider.querySelector('[role="slider"][aria-label]')) { slider.setAttribute(DONE, ''); }
    });
  }

  function fixDropdowns(root) {
    root.querySelectorAll('.dash-dropdown-focus-target:not([' + DONE + '])').forEach((proxy) => {
      proxy.setAttribute(DONE, '');
      proxy.inert = true;
      const button = proxy.nextElementSibling;
      if (button && button.tagName === 'BUTTON' && !button.disabled) { button.tabIndex = 0; }
    });
  }

  function nameUploads(root) {
    root.querySelectorAll('input[type="file"]:not([' + DONE + '])').forEach((input) => {
      input.setAttribute(DONE, '');
      const zone = input.parentElement;
      const text = zone ? zone.textContent.trim() : '';
      if (!input.hasAttribute('aria-label')) {
        input.setAttribute('aria-label', text ? 'Upload an image: ' + text : 'Upload an image');
      }
    });
  }

  function fixClipboards(root) {
    root.querySelectorAll('.share-clipboard:not([' + DONE + '])').forEach((icon) => {
      icon.setAttribute(DONE, '');
      icon.setAttribute('role', 'button');
      icon.tabIndex = 0;
      if (icon.title && !icon.hasAttribute('aria-label')) {
        icon.setAttribute('aria-label', icon.title);
      }
    });
  }

  function fixTabs(root) {
    root.querySelectorAll('[role="tablist"]:not([' + DONE + '])').forEach((list) => {
      const tabs = Array.from(list.querySelectorAll('[role="tab"]'));
      const content = list.nextElementSibling;
      const panes = content ? Array.from(content.querySelectorAll(':scope > [role="tabpanel"]'))
        : [];
      if (!tabs.length || panes.length !== tabs.length) { return; }
      list.setAttribute(DONE, '');
      tabs.forEach((tab, i) => {
        const pane = panes[i];
        if (pane.getAttribute('aria-labelledby')) { tab.id = pane.getAttribute('aria-labelledby'); }
        if (pane.id) { tab.setAttribute('aria-controls', pane.id); }
        tab.tabIndex = 0;
      });
    });
  }

  function fixAll() {
    const root = document.body;
    nameSliders(root);
    fixDropdowns(root);
    nameUploads(root);
    fixClipboards(root);
    fixTabs(root);
  }

  const KEYS = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};

  // Captured on the window, before React's handlers: dbc's tab links carry no event key, so
  // the navigation's own arrow-key handling has nothing to select.
  function onKeyDown(event) {
    if ((event.key === 'Enter' || event.key === ' ') && event.target.classList &&
        event.target.classList.contains('share-clipboard')) {
      event.preventDefault();
      event.target.click();
      return;
    }
    const tab = event.target.closest && event.target.closest('[role="tab"]');
    const list = tab && tab.closest('[role="tablist"]');
    if (!list) { return; }
    const tabs = Array.from(list.querySelectorAll('[role="tab"]'))
      .filter((t) => !t.classList.contains('disabled'));
    const at = tabs.indexOf(tab);
    let next = null;
    if (event.key in KEYS) {
      next = tabs[(at + KEYS[event.key] + tabs.length) % tabs.length];
    } else if (event.key === 'Home') {
      next = tabs[0];
    } else if (event.key === 'End') {
      next = tabs[tabs.length - 1];
    } else if (event.key === ' ' || event.key === 'Enter') {
      next = tab;
    }
    if (!next) { return; }
    event.preventDefault();
    event.stopPropagation();
    next.focus();
    next.click();
  }

  let scheduled = false;
  function schedule() {
    if (scheduled) { return; }
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; fixAll(); });
  }

  function start() {
    fixAll();
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
    window.addEventListener('keydown', onKeyDown, true);
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.accessibility = {fixAll: fixAll};
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());

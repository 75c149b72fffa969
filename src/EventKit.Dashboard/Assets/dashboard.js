// EventKit dashboard: the only script. Served from the dashboard itself (Content-Security-Policy script-src 'self');
// nothing inline. It refreshes the element #refresh-region of pages that have one (the overview) every
// data-refresh-seconds seconds while the page is visible and the "Auto-refresh" box is ticked, by fetching the same
// page and swapping in the region's new HTML: the server rendered and encoded it, and DOMParser runs no script.
// A page showing an aggregate the server is still computing (an element with data-reload-seconds outside that region)
// reloads itself after that many seconds, while it is visible.
(function () {
  'use strict';

  var region = document.getElementById('refresh-region');
  var computing = document.querySelector('[data-reload-seconds]');
  if (computing && !(region && region.contains(computing))) {
    var wait = parseInt(computing.getAttribute('data-reload-seconds'), 10) || 3;
    window.setTimeout(function reload() {
      if (document.hidden) {
        window.setTimeout(reload, wait * 1000);
        return;
      }
      window.location.reload();
    }, wait * 1000);
  }

  if (!region) {
    return;
  }

  var seconds = parseInt(region.getAttribute('data-refresh-seconds'), 10) || 5;
  var toggle = document.getElementById('auto-refresh');
  var status = document.getElementById('refresh-status');
  var busy = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function refresh() {
    if (busy || document.hidden || (toggle && !toggle.checked)) {
      return;
    }

    busy = true;
    fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'text/html' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('refresh-region');
        var current = document.getElementById('refresh-region');
        if (!fresh || !current) {
          throw new Error('the page has changed');
        }
        current.replaceWith(document.importNode(fresh, true));
        say('Updated ' + new Date().toLocaleTimeString());
      })
      .catch(function (error) {
        say('Refresh failed: ' + error.message);
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) {
      refresh();
    }
  });
}());
